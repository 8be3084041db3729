import { afterAll, describe, expect, it } from "vitest";
import { inProcessServer } from "../support/in-process.js";

// Request budgets per API key and class, and per client address, with the IETF RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers). SQLite: counted in the process (the PostgreSQL
// counterpart, shared by two API processes, is in test/multiprocess/abuse-limits.test.ts).
const servers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function server(env: Record<string, string>) {
  const s = await inProcessServer({ env });
  servers.push(s);
  return s;
}

const call = (url: string, key: string | null, method = "GET", json?: unknown) =>
  fetch(url, {
    method,
    headers: {
      ...(key && { authorization: `Bearer ${key}` }),
      ...(json !== undefined && { "content-type": "application/json" }),
    },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });

describe("per-key budgets", () => {
  it("reads: every answer counts down; past the budget 429 rate_limited; writes and other keys go on", async () => {
    const s = await server({ RATE_LIMIT_READS: "3/60s", RATE_LIMIT_WRITES: "100/60s" });
    const [key, other] = [await s.createKey("reader"), await s.createKey("other-reader")];
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(`${s.url}/v1/destinations`, key);
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"reads";q=3;w=60');
      seen.push(response.headers.get("ratelimit")!.replace(/;t=\d+$/, ""));
    }
    expect(seen).toEqual(['"reads";r=2', '"reads";r=1', '"reads";r=0']);
    const refused = await call(`${s.url}/v1/destinations/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01`, key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit")).toBe(`"reads";r=0;t=${retryAfter}`);
    expect(await refused.json()).toMatchObject({
      code: "rate_limited",
      status: 429,
      detail: expect.stringContaining("3 read requests per 60 s"),
    });

    expect((await call(`${s.url}/v1/destinations`, key, "POST", { email: "writer@acme-logistics.com" })).status).toBe(
      201,
    );
    expect((await call(`${s.url}/v1/destinations`, other)).status).toBe(200);
  });

  it("single checks and bulk jobs have budgets of their own", async () => {
    const s = await server({ RATE_LIMIT_CHECKS: "2/60s", RATE_LIMIT_BULK: "1/1h", VALIDATION_SMTP_PROBE: "false" });
    const key = await s.createKey("checker");
    const checks = [];
    for (let i = 0; i < 3; i++)
      checks.push((await call(`${s.url}/v1/email-checks`, key, "POST", { email: "not an address" })).status);
    expect(checks).toEqual([200, 200, 429]);
    const first = await call(`${s.url}/v1/email-validations`, key, "POST", { emails: ["a@b"] });
    const second = await call(`${s.url}/v1/email-validations`, key, "POST", { emails: ["a@b"] });
    expect([first.status, second.status]).toEqual([202, 429]);
    expect(second.headers.get("ratelimit-policy")).toBe('"bulk";q=1;w=3600');
    // Reads are untouched by either.
    expect((await call(`${s.url}/v1/email-validations`, key)).status).toBe(200);
  });

  it("a class turned off sends no fields and never refuses", async () => {
    const s = await server({ RATE_LIMIT_READS: "off" });
    const key = await s.createKey("unlimited");
    for (let i = 0; i < 5; i++) {
      const response = await call(`${s.url}/v1/destinations`, key);
      expect([response.status, response.headers.get("ratelimit")]).toEqual([200, null]);
    }
  });
});

describe("per-address budgets", () => {
  it("failed authentications: past the budget an address gets 429 even with a valid key", async () => {
    const s = await server({ RATE_LIMIT_AUTH_FAILURES: "3/60s" });
    const key = await s.createKey("victim");
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(`${s.url}/v1/destinations`, `mp_live_guess${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await call(`${s.url}/v1/destinations`, key);
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({
      code: "rate_limited",
      detail: expect.stringContaining("failed authentications"),
    });
    expect(blocked.headers.get("ratelimit-policy")).toBe('"auth_failures";q=3;w=60');
  });

  it("confirmation pages: past the budget a 429 page with Retry-After", async () => {
    const s = await server({ RATE_LIMIT_PUBLIC: "2/60s" });
    const statuses = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${s.url}/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0wY2`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([404, 404, 429]);
    expect(last!.headers.get("content-type")).toMatch(/^text\/html/);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await last!.text()).toContain("Too many requests");
  });
});
