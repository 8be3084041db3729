import "vitest";

/** A server the contract suite runs against. */
export interface Target {
  /** `mock`: the Prism mock of the bundle; `server`: the real mailproof server. */
  kind: "mock" | "server";
  baseUrl: string;
  apiKey: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    targets: Target[];
  }
}
