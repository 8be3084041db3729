import type { Resolver } from "node:dns/promises";
import { dnsFailure, dnsOutcome, resolverFor } from "../shared/dns.js";
import { judgeRecord } from "./record-match.js";
import type { DnsRecord } from "./records.js";

export interface DnsSettings {
  /** `ip[:port]` entries; empty uses the system's resolvers. */
  servers: string[];
  timeoutMs: number;
}

/** The resolver could not give an answer (timeout, SERVFAIL, refused): nothing is proven either way. */
export class DnsUnavailableError extends Error {}

/** Looks up what is published for each record, live, and says whether it matches. */
export class DnsChecker {
  private readonly resolver: Resolver;

  constructor(settings: DnsSettings) {
    this.resolver = resolverFor({ ...settings, tries: 1 });
  }

  /**
   * Each record with `status` and `observed_values` from a fresh lookup. For a verified domain an
   * ownership record that is gone reads `mismatch` (it was there once and is not any more).
   */
  async check(records: DnsRecord[], verified: boolean): Promise<DnsRecord[]> {
    return Promise.all(records.map((record) => this.checkOne(record, verified)));
  }

  private async checkOne(record: DnsRecord, verified: boolean): Promise<DnsRecord> {
    const observed = record.type === "MX" ? await this.mx(record.name) : await this.txt(record.name);
    return judgeRecord(record, observed, verified);
  }

  /** TXT values at `name`, each record's strings joined (long values arrive split in 255-octet strings). */
  private async txt(name: string): Promise<string[]> {
    return (await this.lookup(() => this.resolver.resolveTxt(name))).map((chunks) => chunks.join(""));
  }

  private async mx(name: string): Promise<string[]> {
    const answers = await this.lookup(() => this.resolver.resolveMx(name));
    return answers
      .sort((a, b) => a.priority - b.priority)
      .map((a) => `${a.priority} ${a.exchange.toLowerCase().replace(/\.$/, "")}`);
  }

  private async lookup<T>(query: () => Promise<T[]>): Promise<T[]> {
    try {
      return await query();
    } catch (error) {
      // No such name, or no such record: nothing is published there.
      if (dnsOutcome(error) !== "failure") return [];
      throw new DnsUnavailableError(`DNS lookup failed: ${dnsFailure(error)}`);
    }
  }
}
