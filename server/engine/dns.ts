import type { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import pLimit from "p-limit";
import { dnsFailure, dnsOutcome, resolverFor } from "../shared/dns.js";

/** Where mail for a domain goes, as DNS says (RFC 5321 §5.1). */
export type MailRoute =
  | { kind: "hosts"; hosts: string[] }
  | { kind: "null_mx" }
  | { kind: "nxdomain" }
  | { kind: "no_mail_server" }
  | { kind: "dns_error"; message: string };

export interface DnsOptions {
  servers: string[];
  timeoutMs: number;
}

/**
 * Queries one engine keeps outstanding at once. A job of 100,000 addresses can name thousands of
 * domains; sent at once, their queries overflow the resolver's (or our own socket's) UDP buffers,
 * and every dropped answer is a timeout and a `dns_error`.
 */
const QUERIES_IN_FLIGHT = 64;

/** Lookups for the engine, cached per domain for the life of this object (one job, one check). */
export class EngineDns {
  private readonly resolver: Resolver;
  private readonly routes = new Map<string, Promise<MailRoute>>();
  private readonly addresses = new Map<string, Promise<string[]>>();
  private readonly limit = pLimit(QUERIES_IN_FLIGHT);

  constructor(options: DnsOptions) {
    this.resolver = resolverFor({ ...options, tries: 2 });
  }

  /** MX hosts by preference; a null MX (RFC 7505) or NXDOMAIN says no mail; no MX falls back to A/AAAA. */
  mailRoute(domain: string): Promise<MailRoute> {
    let route = this.routes.get(domain);
    if (!route) {
      route = this.lookupRoute(domain);
      this.routes.set(domain, route);
    }
    return route;
  }

  /** The IP addresses of a mail host (IPv4 first). */
  hostAddresses(host: string): Promise<string[]> {
    // Some domains publish an IP address as their MX exchange; take it as it is.
    if (isIP(host)) return Promise.resolve([host]);
    let found = this.addresses.get(host);
    if (!found) {
      found = Promise.all([
        this.quiet(() => this.resolver.resolve4(host)),
        this.quiet(() => this.resolver.resolve6(host)),
      ]).then(([v4, v6]) => [...v4, ...v6]);
      this.addresses.set(host, found);
    }
    return found;
  }

  private async lookupRoute(domain: string): Promise<MailRoute> {
    try {
      const mx = await this.limit(() => this.resolver.resolveMx(domain));
      if (mx.length === 1 && (mx[0]!.exchange === "" || mx[0]!.exchange === ".")) return { kind: "null_mx" };
      const hosts = mx
        .filter((m) => m.exchange !== "" && m.exchange !== ".")
        .sort((a, b) => a.priority - b.priority)
        .map((m) => m.exchange.toLowerCase().replace(/\.$/, ""));
      if (hosts.length > 0) return { kind: "hosts", hosts };
    } catch (error) {
      const outcome = dnsOutcome(error);
      if (outcome === "nxdomain") return { kind: "nxdomain" };
      if (outcome === "failure") return { kind: "dns_error", message: dnsFailure(error) };
    }
    // No MX: the domain itself is the implicit MX if it has an address (RFC 5321 §5.1).
    try {
      const addresses = await this.hostAddresses(domain);
      return addresses.length > 0 ? { kind: "hosts", hosts: [domain] } : { kind: "no_mail_server" };
    } catch (error) {
      return { kind: "dns_error", message: String(error) };
    }
  }

  private async quiet(query: () => Promise<string[]>): Promise<string[]> {
    try {
      return await this.limit(query);
    } catch (error) {
      if (dnsOutcome(error) !== "failure") return [];
      throw error;
    }
  }
}
