import "vitest";

/** A server the contract suite runs against. */
export interface Target {
  /** `mock`: the Prism mock of the bundle; `server`: the real mailproof server. */
  kind: "mock" | "server";
  baseUrl: string;
  apiKey: string;
}

/** The real server started for this run, with what server-only tests need beyond its URL. */
export interface RealServer extends Target {
  kind: "server";
  /** A key of a second account, for isolation tests. */
  otherApiKey: string;
  dataDir: string;
  env: Record<string, string>;
  /** Where the test DNS server reads its zones (see dns-server.ts `publish`). */
  dnsZoneDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    targets: Target[];
    server: RealServer;
    /** A real server whose every request budget is one request an hour (for the 429 cases). */
    limited: { baseUrl: string; apiKey: string };
  }
}
