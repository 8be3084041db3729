import { describe, expect, inject, it } from "vitest";
import { raw } from "../support/api.js";
import { deref, operations } from "../support/openapi.js";

// No client mistake may produce a 500, an HTML error page or a hang: each gets a problem
// document with the documented status and code.
const server = inject("server");

type Mistake = [string, string, string, Parameters<typeof raw>[3], number, string];
const mistakes: Mistake[] = [
  ["an unknown route", "GET", "/v2/destinations", {}, 404, "not_found"],
  ["an unknown route without a key", "GET", "/wp-admin", { auth: false }, 404, "not_found"],
  ["a wrong method", "PATCH", "/v1/destinations", {}, 405, "method_not_allowed"],
  [
    "a wrong method on an item",
    "POST",
    "/v1/mailbox-domains/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01",
    {},
    405,
    "method_not_allowed",
  ],
  ["a wrong method on a service endpoint", "POST", "/healthz", { auth: false }, 405, "method_not_allowed"],
  ["a wrong method on the reference page", "DELETE", "/docs", { auth: false }, 405, "method_not_allowed"],
  [
    "malformed JSON",
    "POST",
    "/v1/destinations",
    { body: '{"email": ', headers: { "content-type": "application/json" } },
    400,
    "malformed_json",
  ],
  [
    "a body that is not what its Content-Encoding says",
    "POST",
    "/v1/destinations",
    { body: '{"email":"ana@acme.com"}', headers: { "content-type": "application/json", "content-encoding": "gzip" } },
    400,
    "malformed_json",
  ],
  [
    "a JSON string instead of an object",
    "POST",
    "/v1/destinations",
    { body: '"ana@acme.com"', headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  [
    "a JSON array",
    "POST",
    "/v1/mailbox-domains",
    { body: "[]", headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  [
    "an empty JSON body",
    "POST",
    "/v1/destinations",
    { body: "", headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  ["no body and no content type", "POST", "/v1/destinations", {}, 415, "unsupported_media_type"],
  [
    "a form body",
    "POST",
    "/v1/destinations",
    { body: "email=a%40b.co", headers: { "content-type": "application/x-www-form-urlencoded" } },
    415,
    "unsupported_media_type",
  ],
  [
    "a multipart form (no operation takes one: the validator's uploader is off)",
    "POST",
    "/v1/destinations",
    {
      body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@acme.com\r\n--x--\r\n',
      headers: { "content-type": "multipart/form-data; boundary=x" },
    },
    415,
    "unsupported_media_type",
  ],
  [
    "XML",
    "POST",
    "/v1/mailbox-domains",
    { body: "<domain>acme.com</domain>", headers: { "content-type": "application/xml" } },
    415,
    "unsupported_media_type",
  ],
  [
    "an unknown field",
    "POST",
    "/v1/destinations",
    { body: '{"email":"a@acme.com","admin":true}', headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  [
    "a number for a string",
    "POST",
    "/v1/mailbox-domains",
    { body: '{"domain":42}', headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  [
    "a body over the limit",
    "POST",
    "/v1/destinations",
    {
      body: JSON.stringify({ email: "a@acme.com", pad: "x".repeat(200_000) }),
      headers: { "content-type": "application/json" },
    },
    413,
    "payload_too_large",
  ],
  ["an unknown query parameter", "GET", "/v1/destinations?sort=email", {}, 400, "invalid_parameter"],
  ["a non-numeric page size", "GET", "/v1/destinations?page[size]=ten", {}, 400, "invalid_parameter"],
  // Each of these was read as a number by the validator's coercion; Infinity then reached SQL as a 500.
  ...["Infinity", "-Infinity", "1e1000", "0x10", "1e2", "%201", "1.0", "+1", "1_0", "99999999999999999999"].map(
    (size): Mistake => [
      `page[size]=${size}`,
      "GET",
      `/v1/destinations?page[size]=${size}`,
      {},
      400,
      "invalid_parameter",
    ],
  ),
  [
    "page[size]=Infinity on a job's results",
    "GET",
    "/v1/email-validations/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01?page[size]=Infinity",
    {},
    400,
    "invalid_parameter",
  ],
  [
    "page[size]=Infinity on every list",
    "GET",
    "/v1/email-validations?page[size]=Infinity",
    {},
    400,
    "invalid_parameter",
  ],
  // PostgreSQL refuses U+0000 in text: it never reaches the store.
  ["a NUL in a query value", "GET", "/v1/email-validations?status=queued%00", {}, 400, "invalid_parameter"],
  [
    "a NUL in a body string",
    "POST",
    "/v1/destinations",
    { body: '{"email":"ana\\u0000@acme.com"}', headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  [
    "a NUL in a bulk address",
    "POST",
    "/v1/email-validations",
    { body: '{"emails":["a@b.co","x\\u0000"]}', headers: { "content-type": "application/json" } },
    422,
    "validation_failed",
  ],
  ["a path with a broken percent-encoding", "GET", "/v1/destinations/%E0%A4%A", {}, 400, "invalid_parameter"],
  ["an unknown page field", "GET", "/v1/destinations?page[number]=2", {}, 400, "invalid_parameter"],
  ["a forged cursor", "GET", "/v1/destinations?page[after]=bm90LWEtY3Vyc29y", {}, 400, "invalid_parameter"],
  ["a cursor that is not base64", "GET", "/v1/mailbox-domains?page[after]=%%%", {}, 400, "invalid_parameter"],
  ["an unknown status filter", "GET", "/v1/destinations?status=deleted", {}, 400, "invalid_parameter"],
  ["a malformed id", "GET", "/v1/sender-identities/' OR 1=1 --", {}, 400, "invalid_parameter"],
  [
    "a wrong scheme",
    "GET",
    "/v1/destinations",
    { auth: false, headers: { authorization: "Basic YTpi" } },
    401,
    "unauthorized",
  ],
  [
    "an unknown key",
    "GET",
    "/v1/destinations",
    { auth: false, headers: { authorization: "Bearer mp_live_not-a-real-key" } },
    401,
    "unauthorized",
  ],
  [
    "an empty bearer",
    "GET",
    "/v1/destinations",
    { auth: false, headers: { authorization: "Bearer " } },
    401,
    "unauthorized",
  ],
];

describe("client mistakes", () => {
  it.each(mistakes)("%s → problem+json", async (_, method, path, init, status, code) => {
    const response = await raw(server, method, path, init);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
    expect(response.text).not.toMatch(/<html|at [A-Za-z]+ \(|node_modules/);
    if (status === 405) {
      const allowed = response.headers.get("allow")!.split(", ");
      expect(allowed).toContain("GET");
      expect(allowed).not.toContain(method);
    }
    // RFC 6750: a key that was sent but is not valid says so; a missing one only names the scheme.
    const sentKey = /^Bearer \S/.test((init?.headers as Record<string, string> | undefined)?.authorization ?? "");
    if (status === 401)
      expect(response.headers.get("www-authenticate")).toBe(
        sentKey ? 'Bearer realm="mailproof", error="invalid_token"' : 'Bearer realm="mailproof"',
      );
  });

  it("names the offending fields in 422s and parameters in 400s", async () => {
    const body = await raw(server, "POST", "/v1/sender-identities", {
      body: JSON.stringify({ name: "", email: "nope", add_note: "yes" }),
      headers: { "content-type": "application/json" },
    });
    expect(body.status).toBe(422);
    const pointers = (body.json!.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["/domain_id", "/name", "/email", "/add_note"]));
    // A missing field is named once ("/domain_id is required"), and a constant by its value.
    expect(body.json!.errors).toContainEqual({ pointer: "/domain_id", message: "is required" });
    const cancel = (json: object) =>
      raw(server, "PATCH", "/v1/email-validations/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01", {
        body: JSON.stringify(json),
        headers: { "content-type": "application/json" },
      });
    expect((await cancel({})).json!.detail).toBe("1 field of the request body breaks the rules: /status is required.");
    expect((await cancel({ status: "completed" })).json!.errors).toEqual([
      { pointer: "/status", message: 'must be equal to constant: "canceled"' },
    ]);
    const param = await raw(server, "GET", "/v1/destinations?page[size]=1000");
    expect(param.json!.errors).toEqual([{ pointer: "query.page[size]", message: expect.stringContaining("100") }]);
  });

  it("says a malformed address is one field breaking one rule, in the format's words", async () => {
    // The contract restates idn-email's shape as a pattern for the mock; its regex helps no caller.
    const answer = await raw(server, "POST", "/v1/destinations", {
      body: JSON.stringify({ email: "ana.silva at acme" }),
      headers: { "content-type": "application/json" },
    });
    expect(answer.json!.detail).toBe(
      '1 field of the request body breaks the rules: /email must match format "idn-email".',
    );
    expect(answer.json!.errors).toEqual([{ pointer: "/email", message: 'must match format "idn-email"' }]);
    // Two rules broken by one field are still one field.
    const long = await raw(server, "POST", "/v1/destinations", {
      body: JSON.stringify({ email: `${"a".repeat(250)} at acme` }),
      headers: { "content-type": "application/json" },
    });
    expect(long.json!.errors).toHaveLength(2);
    expect(long.json!.detail).toMatch(/^1 field of the request body breaks the rules: \/email /);
  });

  it("says a page size of any length is too large by its maximum, not that it is no number", async () => {
    for (const size of ["101", "1000000000", "99999999999999999999", "9".repeat(400)]) {
      const answer = await raw(server, "GET", `/v1/destinations?page[size]=${size}`);
      expect(answer.status, size).toBe(400);
      expect(answer.json!.detail, size).toBe("query.page[size] must be <= 100");
      expect(answer.json!.errors, size).toEqual([{ pointer: "query.page[size]", message: "must be <= 100" }]);
    }
    // Leading zeros do not make a number larger.
    expect((await raw(server, "GET", "/v1/destinations?page[size]=000000000000002")).status).toBe(200);
  });

  it("lists the first 100 of a bulk body's field errors, and says how many there are", async () => {
    const body = await raw(server, "POST", "/v1/email-validations", {
      body: JSON.stringify({ emails: Array.from({ length: 1000 }, () => ({})) }),
      headers: { "content-type": "application/json" },
    });
    expect(body.status).toBe(422);
    const errors = body.json!.errors as { pointer: string }[];
    expect(errors).toHaveLength(100);
    expect(errors[99]).toEqual({ pointer: "/emails/99", message: "must be string" });
    expect(body.json!.detail).toBe(
      "1000 fields of the request body break the rules: /emails/0 must be string; /emails/1 must be string; " +
        "/emails/2 must be string; /emails/3 must be string; /emails/4 must be string; and 995 more.",
    );
  });

  it("answers 100 concurrent garbage requests without a 5xx", async () => {
    const bodies = ["{", "null", "[1,2", '{"email":{}}', "\u0000\u0001", '{"email":"a@b.co"'.repeat(50)];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        raw(server, "POST", "/v1/destinations", {
          body: bodies[i % bodies.length],
          headers: { "content-type": "application/json" },
        }),
      ),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
  });
});

/** The property names a request schema lists at its top level, through $ref, allOf, oneOf and anyOf. */
function topLevelProperties(schema: unknown): string[] {
  const node = deref<Record<string, unknown>>(schema);
  const parts = ["allOf", "oneOf", "anyOf"].flatMap((k) => (node[k] as unknown[] | undefined) ?? []);
  return [...Object.keys((node.properties as object | undefined) ?? {}), ...parts.flatMap(topLevelProperties)];
}

describe("bodies nested deeper than any schema", () => {
  // 4,000 arrays deep is 8 KB of JSON, well within the body limit; a walk that recursed once per
  // level ran out of stack on it (a 500).
  const deep = `${"[".repeat(4000)}${"]".repeat(4000)}`;
  const withBodies = operations.flatMap((op) => {
    const body = deref<{ content?: Record<string, { schema: unknown }> }>(op.raw.requestBody ?? {});
    const media = body.content?.["application/json"];
    if (!media) return [];
    const path = op.path.replace(/\{[^}]+\}/g, "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01");
    const fields = [...new Set([...topLevelProperties(media.schema), "not_in_the_contract"])];
    const bodies = [deep, ...fields.map((field) => `{${JSON.stringify(field)}:${deep}}`)];
    return [[`${op.method} ${op.path}`, op.method, path, bodies] as const];
  });

  it.each(withBodies)("%s answers every one with a 4xx problem", async (_, method, path, bodies) => {
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) {
      const response = await raw(server, method, path, { body, headers: { "content-type": "application/json" } });
      expect({ field: body.slice(0, 30), status: response.status }).toEqual({
        field: body.slice(0, 30),
        status: expect.toSatisfy((s: number) => s >= 400 && s < 500),
      });
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});
