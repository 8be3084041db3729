import { describe, expect, inject, it } from "vitest";
import { createClient, paginate, resendDestination } from "../../client/src/index.js";

// The typed client against the Prism mock: what a frontend or backend developer sees on day one.
const mock = inject("targets").find((t) => t.kind === "mock")!;

describe("the client against the mock", () => {
  const client = createClient({ baseUrl: mock.baseUrl, apiKey: mock.apiKey });

  it("lists destinations with the typed body", async () => {
    const { data, error, response } = await client.GET("/v1/destinations", {
      params: { query: { status: "verified", page: { size: 10 } } },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data?.data[0]?.email).toMatch(/@/);
  });

  it("gets the problem as a typed error", async () => {
    const { data, error } = await client.GET("/v1/destinations/{destination_id}", {
      params: { path: { destination_id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01" } },
      headers: { Prefer: "code=404" },
    });
    expect(data).toBeUndefined();
    expect(error?.code).toBe("not_found");
  });

  it("walks a list with paginate", async () => {
    const emails: string[] = [];
    // Prism's static mode serves the same example page with a next link forever; take three.
    for await (const d of paginate(client, "/v1/destinations")) if (emails.push(d.email) >= 3) break;
    expect(emails).toHaveLength(3);
  });

  it("reads the mock's 429 Retry-After through resendDestination", async () => {
    const prefer = createClient({ baseUrl: mock.baseUrl, apiKey: mock.apiKey, headers: { Prefer: "code=429" } });
    const outcome = await resendDestination(prefer, "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01");
    expect(outcome).toMatchObject({ sent: false, code: "resend_too_soon", retryAfterSeconds: 42 });
  });

  it("sends the headers the server would: Retry-After only while a job runs, the operation's budget", async () => {
    const job = (prefer: string) =>
      fetch(`${mock.baseUrl}/v1/email-validations/5b7e2c4d-1a3f-4e6b-8c9d-0f1e2a3b4c5d`, {
        headers: { authorization: `Bearer ${mock.apiKey}`, prefer },
      });
    expect((await job("example=queued")).headers.get("retry-after")).toBe("2");
    expect((await job("example=completed")).headers.get("retry-after")).toBeNull();
    const created = await client.POST("/v1/destinations", { body: { email: "ana@acme-logistics.com" } });
    expect(created.response.headers.get("ratelimit-policy")).toBe('"writes";q=120;w=60');
    expect(created.response.headers.get("idempotent-replayed")).toBe("false");
    const checked = await client.POST("/v1/email-checks", { body: { email: "ana@acme-logistics.com" } });
    expect(checked.response.headers.get("ratelimit-policy")).toBe('"checks";q=30;w=60');
    const listed = await client.GET("/v1/destinations");
    expect(listed.response.headers.get("ratelimit")).toBe('"reads";r=1199;t=60');
  });
});
