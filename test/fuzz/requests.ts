import fc from "fast-check";
import { deref, document, type Operation, operations } from "../support/openapi.js";

/** One generated HTTP request, and the contract operation its path and method name (if any). */
export interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Json = Record<string, unknown>;

const nasty = fc.constantFrom(
  "",
  " ",
  "..",
  "%",
  "%ZZ",
  "%E0%A4%A",
  "%00",
  "null",
  "undefined",
  "0",
  "-1",
  "1e1000",
  "Infinity",
  "NaN",
  "true",
  "[]",
  "{}",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "\u0000",
  "\u202e",
  "\ud83d\ude00",
  "a".repeat(300),
  "ä".repeat(100),
  "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01",
  "00000000-0000-0000-0000-000000000000",
  "3F0C9A52-8D1E-4B7A-9C2F-5E6D7A8B9C01",
);
const text = fc.oneof(
  nasty,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const integerish = fc.oneof(
  fc.integer({ min: -5, max: 205 }).map(String),
  nasty,
  fc.constantFrom("0x10", "1e2", " 1", "+1", "1.5", "100", "101", "1", "99999999999999999999"),
);

/** A value for a property of a JSON schema: mostly of its type, near its bounds, sometimes anything. */
function valueFor(schema: Json, ids: string[]): fc.Arbitrary<unknown> {
  const s = deref<Json>(schema);
  const wrong = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    text,
    fc.array(text, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 2 }),
  );
  let right: fc.Arbitrary<unknown> = wrong;
  const type = Array.isArray(s.type) ? (s.type as string[])[0] : (s.type as string | undefined);
  if (s.enum) right = fc.constantFrom(...(s.enum as unknown[]));
  else if (type === "string") {
    const max = typeof s.maxLength === "number" ? s.maxLength : 50;
    right = fc.oneof(
      text,
      fc.constantFrom(...ids),
      fc.emailAddress(),
      fc.domain(),
      fc.string({ minLength: Math.max(0, max - 1), maxLength: max + 1 }),
      fc.string({ unit: "grapheme", minLength: max, maxLength: max + 2 }),
    );
  } else if (type === "integer" || type === "number")
    right = fc.oneof(fc.integer({ min: -10, max: 1000 }), fc.double());
  else if (type === "boolean") right = fc.boolean();
  else if (type === "array") {
    right = fc.array(s.items ? valueFor(s.items as Json, ids) : text, { maxLength: 5 });
  } else if (type === "object" || s.properties) right = objectFor(s, ids);
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function objectFor(schema: Json, ids: string[]): fc.Arbitrary<Json> {
  const s = deref<Json>(schema);
  const properties = (s.properties ?? {}) as Record<string, Json>;
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) record[name] = valueFor(property, ids);
  const extra = fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 2 });
  return fc
    .tuple(
      fc.record(record, { requiredKeys: [] }),
      fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }),
    )
    .map(([a, b]) => ({ ...b, ...a }));
}

function bodySchema(op: Operation): Json | undefined {
  const body = deref<Json | undefined>(op.raw.requestBody);
  const content = (body?.content ?? {}) as Record<string, { schema?: Json }>;
  return content["application/json"]?.schema ?? content["application/x-www-form-urlencoded"]?.schema;
}

const contentTypes = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/merge-patch+json",
  "text/csv",
  "",
  "*/*",
  "application/problem+json",
);

function bodyFor(op: Operation | undefined, ids: string[]): fc.Arbitrary<{ body?: string; contentType?: string }> {
  if (op?.path.startsWith("/confirm")) {
    const form = fc
      .tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }))
      .map(([a, b]) => `csrf=${encodeURIComponent(a)}.${encodeURIComponent(b)}`);
    return fc.oneof(
      form.map((body) => ({ body, contentType: "application/x-www-form-urlencoded" })),
      fc.tuple(text, contentTypes).map(([body, contentType]) => ({ body, contentType })),
    );
  }
  const schema = op && bodySchema(op);
  const structured = schema ? objectFor(schema, ids).map((o) => JSON.stringify(o)) : fc.json();
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    {
      weight: 6,
      arbitrary: structured.map((body) => ({
        body,
        contentType: op?.path.startsWith("/confirm") ? "application/x-www-form-urlencoded" : "application/json",
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.json(),
            text,
            structured.map((b) => b.slice(0, Math.max(0, b.length - 3))),
          ),
          contentTypes,
        )
        .map(([body, contentType]) => ({ body, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(structured, fc.integer({ min: 1, max: 3 }))
        .map(([b, n]) => ({ body: b.repeat(n * 2000).slice(0, 120_000), contentType: "application/json" })),
    },
  );
}

/** Query parameters: the operation's own (good and bad values, duplicated), and unknown ones. */
function queryFor(op: Operation | undefined, ids: string[]): fc.Arbitrary<string> {
  const names: string[] = [];
  for (const p of [
    ...(((op?.raw.parameters ?? []) as Json[]) ?? []),
    ...((document.paths[op?.path ?? ""]?.parameters as Json[] | undefined) ?? []),
  ]) {
    const param = deref<Json>(p);
    if (param.in !== "query") continue;
    const schema = deref<Json>(param.schema as Json);
    if (schema.properties)
      for (const prop of Object.keys(schema.properties as Json)) names.push(`${param.name as string}[${prop}]`);
    else names.push(param.name as string);
  }
  const name = fc.oneof(
    { weight: 5, arbitrary: names.length ? fc.constantFrom(...names) : text },
    { weight: 1, arbitrary: text },
  );
  const value = fc.oneof(
    integerish,
    text,
    fc.constantFrom(...ids),
    fc.constantFrom("pending", "verified", "failed", "queued", "completed", "deliverable,risky"),
  );
  return fc
    .array(fc.tuple(name, value), { maxLength: 4 })
    .map((pairs) =>
      pairs
        .map(([n, v]) => `${encodeURIComponent(n).replace(/%5B/g, "[").replace(/%5D/g, "]")}=${encodeURIComponent(v)}`)
        .join("&"),
    );
}

/** A request aimed at a documented operation (mostly) or at something near one. */
export function requestArbitrary(ids: string[], key: string): fc.Arbitrary<FuzzRequest> {
  const target = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...operations) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  return target.chain((op) => {
    const segment = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ids) },
      { weight: 3, arbitrary: text.map(encodeURIComponent) },
      { weight: 1, arbitrary: nasty },
    );
    const path = op
      ? fc
          .array(segment, { minLength: 4, maxLength: 4 })
          .map((segments) => op.path.replace(/\{[^}]+\}/g, () => segments.pop() || "x"))
      : fc.oneof(
          fc.constantFrom(
            "/",
            "/v1",
            "/v1/",
            "/v2/destinations",
            "/wp-admin",
            "/confirm",
            "/confirm/",
            "/.env",
            "/v1/destinations/x/y/z",
          ),
          text.map((t) => `/v1/${encodeURIComponent(t)}`),
        );
    const method = op
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant(op.method) },
          { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD") },
        )
      : fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    const auth = fc.oneof(
      { weight: 10, arbitrary: fc.constant(`Bearer ${key}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "",
          "Bearer",
          "Bearer mp_live_wrong",
          `Basic ${key}`,
          `bearer ${key}`,
          `Bearer ${key} extra`,
          `Bearer ${"k".repeat(600)}`,
        ),
      },
    );
    const idempotency = fc.option(
      fc.oneof(fc.string({ maxLength: 10 }), fc.string({ minLength: 250, maxLength: 260 }), fc.uuid()),
      { nil: undefined },
    );
    return fc
      .record({
        method,
        path,
        query: queryFor(op, ids),
        auth,
        idempotency,
        body: bodyFor(op, ids),
        accept: fc.constantFrom(undefined, "application/json", "text/html", "*/*", "image/png"),
      })
      .map((r) => {
        const headers: Record<string, string> = {};
        if (r.auth) headers.authorization = r.auth;
        if (r.idempotency !== undefined) headers["idempotency-key"] = r.idempotency;
        if (r.body.contentType) headers["content-type"] = r.body.contentType;
        if (r.accept) headers.accept = r.accept;
        const withBody = r.method !== "GET" && r.method !== "HEAD" && r.body.body !== undefined;
        return { method: r.method, path: r.path, query: r.query, headers, body: withBody ? r.body.body : undefined };
      });
  });
}

/** Request heads that are not quite HTTP: what a raw socket can send. */
export const rawRequestArbitrary = fc
  .tuple(
    fc.constantFrom(
      "GET",
      "POST",
      "PUT",
      "DELETE",
      "HEAD",
      "OPTIONS",
      "TRACE",
      "CONNECT",
      "PRI",
      "G E T",
      "",
      "get",
      "\u0000",
    ),
    fc.oneof(
      fc.constantFrom(
        "/v1/destinations",
        "/confirm/x",
        "/healthz",
        "*",
        "http://evil.example/",
        "//",
        "/%",
        "/v1/destinations?page[size]=1",
      ),
      fc.string({ unit: "binary", maxLength: 60 }),
    ),
    fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 extra", "", "http/1.1", "HTTP/0.9"),
    fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ unit: "binary", maxLength: 40 })), {
      maxLength: 4,
    }),
    fc.oneof(fc.constant(""), fc.string({ unit: "binary", maxLength: 100 })),
    fc.constantFrom("\r\n", "\n", "\r"),
  )
  .map(([method, target, version, headers, body, eol]) =>
    [`${method} ${target} ${version}`, "Host: x", ...headers.map(([k, v]) => `${k}: ${v}`), "", body].join(eol),
  );
