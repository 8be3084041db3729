import createFetchClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./types.js";

export type MailproofClient = Client<paths>;

export interface ClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8080` (no `/v1`: paths carry it). */
  baseUrl: string;
  /** An API key of your account. */
  apiKey: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: (input: Request) => Promise<Response>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/** Adds the API key to every request; the key is never logged or put in a URL. */
export function authMiddleware(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${apiKey}`);
      return request;
    },
  };
}

/** A typed client for every operation of the contract (`client.GET("/v1/destinations")`, ...). */
export function createClient(options: ClientOptions): MailproofClient {
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  client.use(authMiddleware(options.apiKey));
  return client;
}
