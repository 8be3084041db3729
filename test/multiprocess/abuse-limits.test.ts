import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseEnv } from "../support/database.js";
import { type Started, startApiProcess } from "../support/processes.js";

// Request budgets and mail quotas hold across API processes on one PostgreSQL (npm run test:pg):
// what one process spent, the other sees. The budgets are counted in PostgreSQL, or in Redis when
// REDIS_URL names one (then nothing of them is written to the database).
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe.each<{ budgets: string; env: Record<string, string> }>([
  { budgets: "PostgreSQL", env: {} },
  // This run's keys only: an earlier run's per-address counts (the same 127.0.0.1) would count here.
  { budgets: "Redis", env: { REDIS_URL, REDIS_KEY_PREFIX: `mailproof-test-${randomUUID().slice(0, 8)}:` } },
])("abuse limits across two API processes on PostgreSQL, budgets in $budgets", ({ budgets, env }) => {
  const processes: Started[] = [];
  const apis: string[] = [];
  let key: string;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await freshDatabaseEnv();
    databaseUrl = database.DATABASE_URL!;
    const shared = {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      WORKERS: "0",
      DOMAIN_RECHECK_INTERVAL: "0",
      RESEND_MIN_INTERVAL_SECONDS: "0",
      RATE_LIMIT_READS: "10/60s",
      RATE_LIMIT_WRITES: "1000/60s",
      MAIL_QUOTA_PER_HOUR: "6",
      RATE_LIMIT_AUTH_FAILURES: "4/60s",
      ...database,
      ...env,
    };
    for (let i = 0; i < 2; i++) {
      const { url, started } = await startApiProcess(shared, `api ${i}`);
      processes.push(started);
      apis.push(url);
    }
    key = /API key: (\S+)/.exec(processes[0]!.output())![1]!;
  }, 60_000);
  afterAll(() => Promise.all(processes.map((p) => p.stop())));

  const call = (i: number, path: string, init: { method?: string; json?: unknown; key?: string } = {}) =>
    fetch(apis[i % 2]! + path, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${init.key ?? key}`,
        ...(init.json !== undefined && { "content-type": "application/json" }),
      },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });

  it("one read budget of 10 per key, spent through either process", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i, "/v1/destinations").then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it("one hourly mail quota of 6 per account, however the creates are spread", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(i, "/v1/destinations", { method: "POST", json: { email: `spread${i}@acme-logistics.com` } }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(6);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.code === "mail_quota_exceeded")).toBe(true);
  });

  it("counts failed authentications together: the fifth from an address is refused by either process", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await call(i, "/v1/mailbox-domains", { key: `mp_live_wrong${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });

  it("writes nothing of the budgets to the database when they are counted in Redis", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>("select count(*) as n from rate_limits");
      expect(Number(rows[0]!.n) > 0).toBe(budgets === "PostgreSQL");
    } finally {
      await client.end();
    }
    if (budgets === "Redis") {
      const redis = new Redis(REDIS_URL);
      expect((await redis.keys(`${env.REDIS_KEY_PREFIX}*`)).length).toBeGreaterThan(0);
      redis.disconnect();
    }
  });
});
