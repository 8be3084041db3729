import { isIP } from "node:net";
import { addressChecks } from "./address-checks.js";
import { type DnsOptions, EngineDns } from "./dns.js";
import { HostPace } from "./host-pace.js";
import { suggestDomain } from "./lists.js";
import { isPrivateAddress } from "./network-guard.js";
import { type ProbeSettings, probeDomain } from "./smtp-probe.js";
import { type Checks, reasonOfReply, type ValidationResult, verdict } from "./verdict.js";

export interface EngineSettings {
  dns: DnsOptions;
  probe: ProbeSettings;
  /** false: syntax, lists and DNS only (results end as `probe_disabled`). */
  probeEnabled: boolean;
  allowPrivateNetworks: boolean;
  /** Connections open at once to one mail host, and in all. */
  perHostConcurrency: number;
  concurrency: number;
}

interface Pending {
  email: string;
  /** The address as RCPT TO names it: the local part as given, the domain in ASCII. */
  rcpt: string;
  checks: Checks;
  didYouMean: string | null;
}

/**
 * Decides, for each address, deliverable / risky / undeliverable / unknown, stopping at the first
 * final verdict: syntax, lists, DNS, then one SMTP conversation per domain for all its addresses.
 * One engine instance caches DNS per domain for its life: create one per job or check.
 */
export class ValidationEngine {
  private readonly dns: EngineDns;
  private readonly hostSlots = new Map<string, number>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly suggestions = new Map<string, string | null>();
  /** Each mail host's pace, learned from its rate limits and kept for the engine's life (a job). */
  private readonly pace: HostPace;

  constructor(private readonly settings: EngineSettings) {
    this.dns = new EngineDns(settings.dns);
    this.pace = new HostPace(settings.probe.rateLimitBackoffMs);
  }

  async validate(emails: string[]): Promise<ValidationResult[]> {
    const results = new Map<string, ValidationResult>();
    const byDomain = new Map<string, Pending[]>();
    for (const email of emails) {
      const address = addressChecks(email);
      if (!address.valid) {
        results.set(email, address.result);
        continue;
      }
      const { local, domain, checks } = address;
      const didYouMean = address.addressLiteral ? null : this.suggestion(domain);
      const pending = { email, rcpt: `${local}@${domain}`, checks, didYouMean: didYouMean && `${local}@${didYouMean}` };
      if (checks.disposable) {
        results.set(email, verdict(email, "disposable_domain", checks, { didYouMean: pending.didYouMean }));
        continue;
      }
      const list = byDomain.get(domain);
      if (list) list.push(pending);
      else byDomain.set(domain, [pending]);
    }
    await Promise.all(
      [...byDomain].map(async ([domain, list]) => {
        for (const result of await this.validateDomain(domain, list)) results.set(result.email, result);
      }),
    );
    return emails.map((e) => results.get(e)!);
  }

  /** The typo suggestion for a domain, computed once per engine (a job's domains repeat). */
  private suggestion(domain: string): string | null {
    let known = this.suggestions.get(domain);
    if (known === undefined) {
      known = suggestDomain(domain);
      this.suggestions.set(domain, known);
    }
    return known;
  }

  private async validateDomain(domain: string, list: Pending[]): Promise<ValidationResult[]> {
    const all = (reason: Parameters<typeof verdict>[1], patch: Partial<Checks> = {}, catchAll: boolean | null = null) =>
      list.map((p) => verdict(p.email, reason, { ...p.checks, ...patch }, { catchAll, didYouMean: p.didYouMean }));

    let hosts: string[];
    let addresses: string[] | null = null;
    if (domain.startsWith("[")) {
      const literal = domain.slice(1, -1).replace(/^ipv6:/i, "");
      hosts = [literal];
      addresses = isIP(literal) ? [literal] : [];
    } else if (!domain.includes(".")) {
      // A single label is a domain (RFC 5321 §2.3.5) but has no public mail: top-level domains
      // publish no MX (RFC 7085), and a lookup of one would go through the resolver's search list.
      return all("invalid_domain");
    } else {
      const route = await this.dns.mailRoute(domain);
      if (route.kind === "nxdomain") return all("invalid_domain");
      if (route.kind === "null_mx") return all("null_mx");
      if (route.kind === "no_mail_server") return all("no_mail_server");
      if (route.kind === "dns_error") return all("dns_error");
      hosts = route.hosts;
    }
    const mx = hosts[0] ?? null;
    if (!this.settings.probeEnabled) return all("probe_disabled", { mx });

    // The best MX first, then the next; a host whose addresses are all private is skipped.
    let lastFailure: ReturnType<typeof failureReason> | "private_network" | "dns_error" = "smtp_unavailable";
    // Whether DNS said of every host that it has no address (its name does not exist, or has no
    // A or AAAA record): a dangling MX, which RFC 5321 §5.1 makes an error. A lookup that failed
    // (timeout, SERVFAIL) proves nothing.
    let dangling = addresses === null;
    for (const host of hosts) {
      const found =
        addresses ??
        (await this.dns.hostAddresses(host).catch(() => {
          dangling = false;
          lastFailure = "dns_error";
          return null;
        }));
      if (found === null) continue;
      if (found.length > 0) dangling = false;
      const ips = found.filter((ip) => this.settings.allowPrivateNetworks || !isPrivateAddress(ip));
      if (ips.length === 0) {
        if (found.length > 0) lastFailure = "private_network";
        continue;
      }
      const probed = await this.withSlot(host, () =>
        probeDomain(ips, domain, [...new Set(list.map((p) => p.rcpt))], this.settings.probe, this.pace.of(host)),
      );
      if (probed.kind !== "answered") {
        lastFailure = failureReason(probed.kind);
        continue;
      }
      return list.map((p) => {
        if (probed.needSmtpUtf8.has(p.rcpt))
          return verdict(
            p.email,
            "smtputf8_unsupported",
            { ...p.checks, mx: host },
            { catchAll: probed.catchAll, didYouMean: p.didYouMean },
          );
        const reply = probed.replies.get(p.rcpt);
        // No answer for this one: the server stopped answering part-way through the list.
        if (!reply)
          return verdict(
            p.email,
            failureReason(probed.unanswered?.kind ?? "unavailable"),
            { ...p.checks, mx: host },
            { didYouMean: p.didYouMean },
          );
        return verdict(
          p.email,
          reasonOfReply(reply, probed.catchAll),
          { ...p.checks, mx: host, smtp: reply },
          { catchAll: probed.catchAll, didYouMean: p.didYouMean },
        );
      });
    }
    if (dangling) return all("no_mail_server", { mx });
    return all(lastFailure, { mx });
  }

  /** Runs `work` within the per-host and global connection limits. */
  private async withSlot<T>(host: string, work: () => Promise<T>): Promise<T> {
    while (
      this.active >= this.settings.concurrency ||
      (this.hostSlots.get(host) ?? 0) >= this.settings.perHostConcurrency
    ) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
    this.hostSlots.set(host, (this.hostSlots.get(host) ?? 0) + 1);
    try {
      return await work();
    } finally {
      this.active--;
      this.hostSlots.set(host, this.hostSlots.get(host)! - 1);
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}

const FAILURE_REASON = {
  timeout: "smtp_timeout",
  unavailable: "smtp_unavailable",
  sender_refused: "smtp_sender_refused",
  rate_limited: "smtp_rate_limited",
} as const;
const failureReason = (kind: keyof typeof FAILURE_REASON) => FAILURE_REASON[kind];
