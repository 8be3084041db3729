import { Resolver } from "node:dns/promises";

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
