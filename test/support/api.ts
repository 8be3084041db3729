import { randomUUID } from "node:crypto";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import type { RealServer } from "./targets.js";

/** Typed clients for the two accounts of the test server. */
export function clientsFor(server: RealServer): { a: MailproofClient; b: MailproofClient } {
  return {
    a: createClient({ baseUrl: server.baseUrl, apiKey: server.apiKey }),
    b: createClient({ baseUrl: server.baseUrl, apiKey: server.otherApiKey }),
  };
}

/** A fresh label for unique addresses and domains. */
export const fresh = () => randomUUID().slice(0, 8);

/** A raw request, for what a typed client cannot even express (malformed bodies, wrong methods). */
export async function raw(
  server: RealServer,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string>; auth?: boolean } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== false) headers.authorization = `Bearer ${server.apiKey}`;
  const response = await fetch(server.baseUrl + path, { method, headers, body: init.body });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
