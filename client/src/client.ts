import createFetchClient, { type Client, type Middleware } from "openapi-fetch";
import { type FetchLike, resilientFetch, type TransportOptions } from "./transport.js";
import type { paths } from "./types.js";
import { VERSION } from "./version.js";

export type MailproofClient = Client<paths>;

export interface ClientOptions extends TransportOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8080` (no `/v1`: paths carry it). */
  baseUrl: string;
  /** An API key of your account. */
  apiKey: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: FetchLike;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Set an `Idempotency-Key` on creating POSTs that have none, so they can be retried (default true). */
  idempotencyKeys?: boolean;
}

/** The POSTs that create a resource: each accepts an Idempotency-Key. */
const CREATING_POSTS = new Set([
  "/v1/destinations",
  "/v1/sender-identities",
  "/v1/mailbox-domains",
  "/v1/email-validations",
]);

/** Adds the API key to every request; the key is never logged or put in a URL. */
export function authMiddleware(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${apiKey}`);
      return request;
    },
  };
}

/**
 * Says who calls (`User-Agent: mailproof-client/<version>`, where the platform lets a script set
 * it), and gives a creating POST an Idempotency-Key when it has none: a retry of it (by this
 * client, after a lost answer) then replays the first instead of creating a second resource.
 */
function requestDefaults(idempotencyKeys: boolean): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (!request.headers.has("User-Agent")) request.headers.set("User-Agent", `mailproof-client/${VERSION}`);
      if (
        idempotencyKeys &&
        request.method === "POST" &&
        CREATING_POSTS.has(schemaPath) &&
        !request.headers.has("Idempotency-Key")
      )
        request.headers.set("Idempotency-Key", globalThis.crypto.randomUUID());
      return request;
    },
  };
}

/**
 * A typed client for every operation of the contract (`client.GET("/v1/destinations")`, ...),
 * with a timeout on every attempt and retries of what is safe to retry (see transport.ts).
 */
export function createClient(options: ClientOptions): MailproofClient {
  const base: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: resilientFetch(base, options),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  client.use(authMiddleware(options.apiKey), requestDefaults(options.idempotencyKeys ?? true));
  return client;
}
