import { describe, expect, it } from "vitest";
import { deref, document, operations, type ResponseSpec, validatorAt } from "../support/openapi.js";

// House rules of the contract that redocly's rule set does not express: what a frontend team
// and a client author rely on when they read the spec.
const v1 = operations.filter((op) => op.path.startsWith("/v1/"));
const tags = new Set((document as unknown as { tags: { name: string }[] }).tags.map((t) => t.name));

describe("every operation", () => {
  it.each(operations.map((op) => [op.operationId, op] as const))("%s is fully described", (_, op) => {
    for (const key of ["operationId", "summary", "description", "tags", "security"])
      expect(op.raw, key).toHaveProperty(key);
    for (const tag of op.raw.tags as string[]) expect(tags).toContain(tag);
  });
});

describe("every /v1 operation", () => {
  it.each(v1.map((op) => [op.operationId, op] as const))(
    "%s documents its errors as problems with examples",
    (_, op) => {
      expect(op.statuses).toEqual(expect.arrayContaining([400, 401, 500]));
      for (const status of op.statuses.filter((s) => s >= 400)) {
        const response = deref<ResponseSpec>((op.raw.responses as Record<string, unknown>)[status]);
        expect(Object.keys(response.content ?? {}), `${status}`).toEqual(["application/problem+json"]);
        const examples = Object.values(response.content!["application/problem+json"]!.examples ?? {});
        expect(examples.length, `${op.operationId} ${status} has an example`).toBeGreaterThan(0);
        for (const example of examples.map((e) => deref<{ value: { status: number } }>(e))) {
          expect(validatorAt("/components/schemas/Problem")(example.value)).toBe(true);
          expect(example.value.status).toBe(status);
        }
      }
    },
  );

  it.each(v1.map((op) => [op.operationId, op] as const))("%s has examples for its body and success", (_, op) => {
    const body = op.raw.requestBody as { content: Record<string, { examples?: object }> } | undefined;
    for (const media of Object.values(body?.content ?? {}))
      expect(Object.keys(media.examples ?? {}).length).toBeGreaterThan(0);
    for (const status of op.statuses.filter((s) => s < 300)) {
      const response = deref<ResponseSpec>((op.raw.responses as Record<string, unknown>)[status]);
      for (const media of Object.values(response.content ?? {}))
        expect(Object.keys(media.examples ?? {}).length).toBeGreaterThan(0);
    }
  });

  it.each(v1.map((op) => [op.operationId, op] as const))(
    "%s is secured by the API key, documents 429 and the RateLimit fields on every answer",
    (_, op) => {
      // The server authenticates everything under /v1 before the validator (http/auth.ts) and
      // counts it against a budget: the contract must say exactly that.
      expect(op.raw.security).toEqual([{ bearerAuth: [] }]);
      expect(op.statuses).toContain(429);
      // A database fault (503, 507) can come before the request's budget is known: no fields there.
      for (const status of op.statuses.filter((s) => s !== 503 && s !== 507)) {
        const headers = deref<ResponseSpec>((op.raw.responses as Record<string, unknown>)[status]).headers ?? {};
        expect(Object.keys(headers), `${status}`).toEqual(expect.arrayContaining(["RateLimit-Policy", "RateLimit"]));
      }
    },
  );

  it.each(v1.map((op) => [op.operationId, op] as const))(
    "%s declares Location and Retry-After where they apply",
    (_, op) => {
      for (const status of op.statuses) {
        const headers = Object.keys(
          deref<ResponseSpec>((op.raw.responses as Record<string, unknown>)[status]).headers ?? {},
        );
        if (status === 201 || status === 202) expect(headers).toContain("Location");
        if (status === 202 || status === 429 || status === 503) expect(headers).toContain("Retry-After");
      }
    },
  );
});

describe("operations outside /v1", () => {
  it.each(operations.filter((op) => !op.path.startsWith("/v1/")).map((op) => [op.operationId, op] as const))(
    "%s is public (at most an operator's token, never an API key)",
    (_, op) => {
      const schemes = (op.raw.security as Record<string, unknown>[]).flatMap((s) => Object.keys(s));
      expect(schemes.filter((s) => s !== "metricsToken")).toEqual([]);
      if (schemes.length > 0) expect(op.raw.security).toContainEqual({});
    },
  );
});

describe("schemas", () => {
  // Bodies the client writes may be open (cancel ignores unknown fields, as documented); every
  // shape the server controls is closed so the response validator catches a stray field.
  const open = new Set(["EmailValidationCancel", "ConfirmForm"]);
  const schemas = Object.entries(
    document.components.schemas as Record<
      string,
      { type?: unknown; properties?: object; additionalProperties?: unknown }
    >,
  );

  it.each(schemas.filter(([, s]) => s.properties).map(([name, s]) => [name, s] as const))(
    "%s is closed unless documented open",
    (name, schema) => {
      expect(schema.additionalProperties).toBe(open.has(name) ? undefined : false);
    },
  );

  it("lists every problem code the examples use", () => {
    const codes = (document.components.schemas as Record<string, { enum?: string[] }>).ProblemCode!.enum!;
    const used = JSON.stringify(document).match(/"code":"[a-z_]+"/g) ?? [];
    for (const match of used) expect(codes).toContain(match.slice(8, -1));
  });
});
