import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { deref, type HeaderSpec, operation, responseOf, validateBody, validateHeader } from "../support/openapi.js";
import type { Target } from "../support/targets.js";

/** One HTTP request, described independently of the target it goes to. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path with its query string, e.g. `/v1/destinations?page[size]=10`. */
  path: string;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A body sent as it is, with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Send the target's API key (default true). */
  auth?: boolean;
  /** Send to this server instead of the target (a case that needs a server in a special state). */
  baseUrl?: string;
}

export interface CaseContext {
  target: Target;
  /** Calls the target for a case's preparation and returns the JSON body; fails on a non-2xx. */
  prepare: (spec: RequestSpec) => Promise<Record<string, unknown>>;
  /** A fresh token for unique addresses and names within a run. */
  unique: () => string;
}

/** One (operation, status) the suite produces, with the request that produces it. */
export interface ContractCase {
  operationId: string;
  status: number;
  /** What the request does, in words (the test's name). */
  name: string;
  /** For a response with several examples: the one the mock should serve. */
  example?: string;
  /** Targets that can produce this case (default: all). */
  targets?: Target["kind"][];
  request: (ctx: CaseContext) => RequestSpec | Promise<RequestSpec>;
}

export async function send(target: Target, spec: RequestSpec, prefer?: string): Promise<Response> {
  const headers: Record<string, string> = {
    accept: "application/json, application/problem+json, text/html, text/plain",
    ...spec.headers,
  };
  if (spec.auth !== false) headers.authorization = `Bearer ${target.apiKey}`;
  // Only Prism reads Prefer; the real server ignores it, so the same request serves both targets.
  if (prefer && target.kind === "mock") headers.prefer = prefer;
  let body: string | undefined;
  if (spec.json !== undefined) {
    body = JSON.stringify(spec.json);
    headers["content-type"] = "application/json";
  } else if (spec.raw !== undefined) {
    body = spec.raw;
    if (spec.contentType) headers["content-type"] = spec.contentType;
  }
  return fetch((spec.baseUrl ?? target.baseUrl) + spec.path, {
    method: spec.method,
    headers,
    body,
    redirect: "manual",
  });
}

export function contextFor(target: Target): CaseContext {
  return {
    target,
    unique: () => randomUUID().slice(0, 8),
    prepare: async (spec) => {
      const response = await send(target, spec);
      const text = await response.text();
      if (!response.ok) throw new Error(`preparing ${spec.method} ${spec.path}: ${response.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    },
  };
}

/**
 * Asserts that a response is what the contract documents for (operation, status): the status,
 * the media type, a body valid against the schema, and every documented header present and
 * valid (the server-side validator checks bodies, not headers, so this is where headers are held).
 */
export async function expectContract(response: Response, operationId: string, status: number): Promise<unknown> {
  const text = await response.text();
  expect(response.status, `${operationId}: body was ${text.slice(0, 300)}`).toBe(status);
  const documented = responseOf(operationId, status);

  for (const [name, node] of Object.entries(documented.headers ?? {})) {
    const header = deref<HeaderSpec>(node);
    const value = response.headers.get(name);
    if (header.required) expect(value, `${operationId} ${status} must send ${name}`).not.toBeNull();
    if (value !== null) expect(validateHeader(header, value), `${name}: ${value}`).toBe(true);
  }

  // The budget's fields are on every answer of the API and the pages, but for a database fault
  // that came before the budget could be known.
  const path = operation(operationId).path;
  if ((path.startsWith("/v1/") || path.startsWith("/confirm/")) && status !== 503 && status !== 507) {
    for (const name of ["RateLimit-Policy", "RateLimit"])
      expect(response.headers.get(name), `${operationId} ${status} ${name}`).not.toBeNull();
  }

  const mediaTypes = Object.keys(documented.content ?? {});
  if (mediaTypes.length === 0) {
    expect(text, `${operationId} ${status} has no body`).toBe("");
    return undefined;
  }
  const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  expect(mediaTypes, `${operationId} ${status} content type`).toContain(contentType);
  const body: unknown = contentType.endsWith("json") ? JSON.parse(text) : text;
  expect(validateBody(operationId, status, contentType, body), `${operationId} ${status} body`).toEqual([]);

  if (contentType === "application/problem+json") expect((body as { status: number }).status).toBe(status);
  const location = response.headers.get("location");
  if (location && typeof body === "object" && body !== null && "id" in body) {
    expect(location.endsWith(`/${String((body as { id: unknown }).id)}`), `Location ${location} names the new id`).toBe(
      true,
    );
  }
  return body;
}

/** A UUID that names nothing in any account. */
export const unknownId = () => randomUUID();
