import { lookup, Resolver } from "node:dns/promises";

/**
 * One reading of DNS outcomes for every lookup mailproof makes (the engine's and the mailbox
 * domains' checks once had two, and they had drifted). A name that does not exist (NXDOMAIN,
 * Node's ENOTFOUND) and a name without records of the type asked (ENODATA, ENONAME) are answers;
 * everything else (timeout, SERVFAIL, refused) is a failure that proves nothing.
 */
export type DnsOutcome = "nxdomain" | "no_records" | "failure";

export function dnsOutcome(error: unknown): DnsOutcome {
  const code = (error as { code?: string } | null)?.code ?? "";
  if (code === "ENOTFOUND") return "nxdomain";
  if (code === "ENODATA" || code === "ENONAME") return "no_records";
  return "failure";
}

/** The error's code for a log or a result, or the error itself in words. */
export const dnsFailure = (error: unknown): string => (error as { code?: string } | null)?.code || String(error);

/** A resolver on the configured servers (`ip[:port]`; none: the system's), with a per-query timeout. */
export function resolverFor(settings: { servers: string[]; timeoutMs: number; tries: number }): Resolver {
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
  if (settings.servers.length > 0) resolver.setServers(settings.servers);
  return resolver;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Every address a host name resolves to (A and AAAA): on the configured servers when there are
 * some (like every other lookup of mailproof), else through the system's lookup (which also reads
 * /etc/hosts). Nothing when the name does not resolve, or not within `timeoutMs`.
 */
export function addressResolver(settings: {
  servers: string[];
  timeoutMs: number;
}): (host: string) => Promise<ResolvedAddress[]> {
  const resolver = settings.servers.length > 0 ? resolverFor({ ...settings, tries: 1 }) : null;
  return (host) => {
    const found = resolver
      ? Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]).then(([v4, v6]) => [
          ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
          ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
        ])
      : lookup(host, { all: true }).then(
          (list) => list.map((a) => ({ address: a.address, family: a.family === 6 ? (6 as const) : (4 as const) })),
          () => [],
        );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ResolvedAddress[]>((resolve) => {
      timer = setTimeout(() => resolve([]), settings.timeoutMs);
    });
    return Promise.race([found, late]).finally(() => clearTimeout(timer));
  };
}
