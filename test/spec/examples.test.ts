import { describe, expect, it } from "vitest";
import { deref, document, operations, type ResponseSpec, validatorAt } from "../support/openapi.js";

// The mock serves the contract's examples: they must tell one believable story. Same id, same
// object; headers that agree with the bodies beside them; no action on a resource the other
// examples show in a state that forbids it.
type Json = Record<string, unknown>;

interface Example {
  where: string;
  value: unknown;
}

/** Every example of every response and request body, with the headers of its response. */
const responses = operations.flatMap((op) =>
  Object.entries(op.raw.responses as Json).map(([status, raw]) => {
    const response = deref<ResponseSpec>(raw);
    const examples = Object.entries(response.content ?? {}).flatMap(([, media]) =>
      Object.entries(media.examples ?? {}).map(([name, example]) => ({
        where: `${op.operationId} ${status} ${name}`,
        value: deref<{ value: unknown }>(example).value,
      })),
    );
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, header]) => {
        const h = deref<{ example?: unknown; schema?: { example?: unknown } }>(header);
        return [name.toLowerCase(), h.example ?? h.schema?.example];
      }),
    );
    return { op, status: Number(status), examples, headers };
  }),
);
const all: Example[] = responses.flatMap((r) => r.examples);

/** Objects with an id, wherever they sit in an example (lists included). */
function withIds(value: unknown, found: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) withIds(v, found);
  else if (typeof value === "object" && value !== null) {
    if (typeof (value as Json).id === "string") found.push(value as Json);
    for (const v of Object.values(value)) withIds(v, found);
  }
  return found;
}
const byId = new Map<string, Json[]>();
for (const example of all)
  for (const o of withIds(example.value)) byId.set(o.id as string, [...(byId.get(o.id as string) ?? []), o]);

describe("the contract's examples", () => {
  it("give one id one object: the same address, domain and creation time wherever it appears", () => {
    for (const [id, objects] of byId) {
      for (const field of ["email", "domain", "created_at"]) {
        const values = new Set(objects.filter((o) => field in o).map((o) => JSON.stringify(o[field])));
        expect(values.size, `${id}.${field}: ${[...values].join(" vs ")}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("never resend to what another example shows verified; a resend answers with a pending resource", () => {
    const finished = new Set(
      [...byId.entries()].filter(([, objects]) => objects.some((o) => o.status === "verified")).map(([id]) => id),
    );
    for (const r of responses.filter((r) => r.op.operationId.startsWith("resend"))) {
      for (const example of r.examples) {
        const instance = (example.value as Json).instance;
        const id = typeof instance === "string" ? /\/([0-9a-f-]{36})\//.exec(instance)?.[1] : undefined;
        if (id && r.status !== 409)
          expect(finished.has(id), `${example.where}: ${id} is verified elsewhere`).toBe(false);
        const value = example.value as Json;
        if (r.status === 200 && r.op.operationId.startsWith("resend"))
          expect(value.status === "pending" || value.is_verified === false, example.where).toBe(true);
      }
    }
  });

  it("point Location at the resource in the body beside it", () => {
    for (const r of responses.filter((r) => r.headers.location !== undefined && r.status < 300)) {
      for (const example of r.examples) {
        expect(r.headers.location, example.where).toMatch(new RegExp(`/${(example.value as Json).id as string}$`));
      }
    }
  });

  it("send a Retry-After that says what the problem's detail says", () => {
    for (const r of responses.filter((r) => r.headers["retry-after"] !== undefined && r.status >= 400)) {
      for (const example of r.examples) {
        const seconds = /(?:allowed|retry) in (\d+) s/i.exec(String((example.value as Json).detail));
        if (seconds) expect(String(r.headers["retry-after"]), example.where).toBe(seconds[1]);
      }
    }
  });

  it("give each operation's 422 its own instance, and pointers to fields of its own body", () => {
    for (const r of responses.filter((r) => r.status === 422)) {
      const path = new RegExp(`^${r.op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      const body = deref<{ content: Record<string, { schema: unknown }> }>(r.op.raw.requestBody).content;
      const schema = deref<{ properties?: Json }>(Object.values(body)[0]!.schema);
      for (const example of r.examples) {
        const problem = example.value as { instance: string; errors?: { pointer: string }[] };
        expect(problem.instance, example.where).toMatch(path);
        for (const error of problem.errors ?? [])
          expect(Object.keys(schema.properties ?? {}), example.where).toContain(error.pointer.slice(1));
      }
    }
  });

  it("narrow every problem answer's code to a list its examples stay within", () => {
    for (const r of responses) {
      const problem = deref<ResponseSpec>((r.op.raw.responses as Json)[String(r.status)]).content?.[
        "application/problem+json"
      ];
      if (!problem) continue;
      const schema = problem.schema as { allOf?: { properties?: { code?: { enum?: string[] } } }[] };
      const codes = schema.allOf?.[1]?.properties?.code?.enum;
      expect(codes, `${r.op.operationId} ${r.status}`).toBeDefined();
      for (const example of r.examples) expect(codes, example.where).toContain((example.value as Json).code);
    }
  });

  it.each(["Destination", "SenderIdentity", "MailboxDomain", "EmailValidation"])(
    "give %s whole valid examples, so the mock's generated objects keep a status and its times together",
    (name) => {
      const schema = (document.components.schemas as Record<string, { examples?: unknown[] }>)[name]!;
      expect(schema.examples?.length ?? 0).toBeGreaterThanOrEqual(2);
      const validate = validatorAt(`/components/schemas/${name}`);
      for (const example of schema.examples ?? [])
        expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it("mark no ordinary answer as an idempotent replay", () => {
    for (const r of responses.filter((r) => "idempotent-replayed" in r.headers))
      expect(r.headers["idempotent-replayed"], `${r.op.operationId} ${r.status}`).toBe("false");
  });
});
