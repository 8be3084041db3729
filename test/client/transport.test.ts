import { afterEach, describe, expect, it } from "vitest";
import {
  type ClientOptions,
  createClient,
  MailproofError,
  paginate,
  resendDestination,
  unwrap,
  VERSION,
} from "../../client/src/index.js";
import { document } from "../support/openapi.js";
import { type Reply, type Seen, scriptedServer } from "../support/scripted-server.js";

// The client's transport against a real HTTP server that answers from a script: retries, their
// waits, idempotency keys, timeouts, and answers that are not the API's.
const example = <T>(name: string) => (document.components.examples as Record<string, { value: T }>)[name]!.value;
const pending = example<{ id: string }>("DestinationPending");
const unavailable: Reply = {
  status: 503,
  json: { type: "about:blank", title: "x", status: 503, detail: "x", code: "store_unavailable" },
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A client of a scripted server whose waits are recorded, not slept (the jitter's random is fixed). */
async function serve(script: (req: Seen, index: number) => Reply, options: Partial<ClientOptions> = {}) {
  const server = await scriptedServer(script);
  close = server.close;
  const waits: number[] = [];
  const client = createClient({
    baseUrl: server.url,
    apiKey: "mp_test_key",
    random: () => 0.5,
    sleep: async (ms) => void waits.push(ms),
    ...options,
  });
  return { client, seen: server.seen, waits };
}

describe("retries", () => {
  it("retries a GET after 503 and 429, waiting what Retry-After says (plus jitter), then answers", async () => {
    const { client, seen, waits } = await serve((_, i) =>
      i === 0
        ? unavailable
        : i === 1
          ? { status: 429, headers: { "retry-after": "2" }, json: { code: "rate_limited" } }
          : { status: 200, json: pending },
    );
    const result = await client.GET("/v1/destinations/{destination_id}", {
      params: { path: { destination_id: pending.id } },
    });
    expect(result.response.status).toBe(200);
    expect(seen).toHaveLength(3);
    // Backoff with full jitter for the 503 without Retry-After (0.5 × 500 ms); 2 s + jitter for the 429.
    expect(waits).toEqual([250, 2250]);
  });

  it("reads the budget's reset from RateLimit when a 429 has no Retry-After", async () => {
    const { client, waits } = await serve((_, i) =>
      i === 0
        ? { status: 429, headers: { ratelimit: '"reads";r=0;t=3, "writes";r=10;t=60' }, json: { code: "rate_limited" } }
        : { status: 200, json: { data: [], links: { next: null } } },
    );
    await client.GET("/v1/destinations");
    expect(waits).toEqual([3250]);
  });

  it("gives a creating POST an Idempotency-Key and sends the same one on every retry", async () => {
    const { client, seen } = await serve((_, i) => (i < 2 ? unavailable : { status: 201, json: pending }));
    const created = await client.POST("/v1/destinations", { body: { email: "ana@acme-logistics.com" } });
    expect(created.response.status).toBe(201);
    const keys = seen.map((s) => s.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(seen.map((s) => s.body)).toEqual(Array(3).fill(JSON.stringify({ email: "ana@acme-logistics.com" })));
    expect(seen[0]!.headers["user-agent"]).toBe(`mailproof-client/${VERSION}`);
  });

  it("never retries a POST without an Idempotency-Key (a resend could mail twice)", async () => {
    const { client, seen } = await serve(() => unavailable);
    await expect(resendDestination(client, pending.id)).rejects.toBeInstanceOf(MailproofError);
    expect(seen).toHaveLength(1);
  });

  it("returns a 429 of a mail rule (a cool-down, a cap) at once: the caller decides to wait", async () => {
    const { client, seen } = await serve(() => ({
      status: 429,
      headers: { "retry-after": "20" },
      json: { type: "about:blank", title: "x", status: 429, detail: "too soon", code: "resend_too_soon" },
    }));
    const result = await client.PUT("/v1/sender-identities/{identity_id}", {
      params: { path: { identity_id: pending.id } },
      body: { email: "b@acme-logistics.com" },
    });
    expect(result.error?.code).toBe("resend_too_soon");
    expect(seen).toHaveLength(1);
  });

  it("returns a 429 whose Retry-After is longer than it waits, for the caller to act on", async () => {
    const { client, seen } = await serve(() => ({
      status: 429,
      headers: { "retry-after": "5400" },
      json: { type: "about:blank", title: "x", status: 429, detail: "cap", code: "rate_limited" },
    }));
    const result = await client.GET("/v1/destinations");
    expect(result.response.status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it("gives up after its retries and returns the last answer", async () => {
    const { client, seen, waits } = await serve(() => unavailable);
    expect((await client.GET("/v1/destinations")).response.status).toBe(503);
    expect(seen).toHaveLength(4);
    expect(waits).toEqual([250, 500, 1000]);
  });

  it("retries a reset connection and a request that timed out", async () => {
    const { client, seen } = await serve(
      (_, i) => (i === 0 ? { drop: true } : i === 1 ? { hang: true } : pendingReply),
      {
        timeoutMs: 300,
      },
    );
    const result = await client.GET("/v1/destinations/{destination_id}", {
      params: { path: { destination_id: pending.id } },
    });
    expect(result.data).toEqual(pending);
    expect(seen).toHaveLength(3);
  });

  it("stops at once when the caller aborts, retries included", async () => {
    const controller = new AbortController();
    const { client, seen } = await serve(() => {
      controller.abort(new Error("the user left"));
      return unavailable;
    });
    await expect(client.GET("/v1/destinations", { signal: controller.signal })).rejects.toThrow("the user left");
    expect(seen).toHaveLength(1);
  });
});

describe("answers that are not the API's", () => {
  it("a proxy's HTML 404 is reported as what it is, not as a problem of the API", async () => {
    const html = "<html><body><h1>404 Not Found</h1>nginx</body></html>";
    const { client } = await serve(() => ({ status: 404, headers: { "content-type": "text/html" }, text: html }));
    let error: unknown;
    try {
      unwrap(await client.GET("/v1/destinations"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailproofError);
    expect(error).toMatchObject({ status: 404, problem: null, code: null, body: html });
    expect((error as Error).message).toContain("not a problem document");
  });
});

describe("types", () => {
  it("narrow an error's code to the codes the contract lists for that operation", async () => {
    const { client } = await serve(() => ({
      status: 404,
      json: { type: "about:blank", title: "Not found", status: 404, detail: "x", code: "not_found" },
    }));
    const { error } = await client.GET("/v1/destinations/{destination_id}", {
      params: { path: { destination_id: pending.id } },
    });
    if (!error) throw new Error("expected the 404");
    // A GET of a destination answers these codes at most (the contract's 400, 401, 404, 429, 500, 503).
    const code:
      | "invalid_parameter"
      | "malformed_json"
      | "unauthorized"
      | "not_found"
      | "rate_limited"
      | "internal_error"
      | "service_unavailable"
      | "store_unavailable" = error.code;
    // @ts-expect-error: a GET never answers resend_too_soon (only resends and changes of address do).
    expect(error.code === "resend_too_soon").toBe(false);
    expect(code).toBe("not_found");
  });

  it("bound page sizes to the contract's 1 to 100", async () => {
    const { client } = await serve(() => ({ status: 200, json: { data: [], links: { next: null } } }));
    // @ts-expect-error: 1000 is over the contract's maximum page size.
    const tooBig = paginate(client, "/v1/destinations", {}, { pageSize: 1000 });
    expect(tooBig).toBeDefined();
    for await (const _ of paginate(client, "/v1/destinations", {}, { pageSize: 100 })) break;
  });
});

const pendingReply: Reply = { status: 200, json: pending };
