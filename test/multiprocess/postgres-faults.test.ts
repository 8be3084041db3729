import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../server/db/postgres.js";
import { freshDatabaseEnv } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { type Started, startApiProcess } from "../support/processes.js";
import { tcpProxy } from "../support/tcp-proxy.js";

// An API process with a worker, whose PostgreSQL connections pass through a TCP proxy of the
// suite's own (npm run test:pg). It used to exit on a reset (an unhandled 'error' on a pg
// client), answer 401 for valid keys and 500s while the database was away, and hang on a partition.
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let api: { url: string; started: Started };
let key: string;
let proxiedDatabase: string;

beforeAll(async () => {
  proxy = await tcpProxy({ host: "127.0.0.1", port: 5432 });
  dns = await startDnsServer();
  for (let d = 0; d < 100; d++) dns.publish(`d${d}.fault.test`, { rcode: "NXDOMAIN", delayMs: 20 });
  const database = new URL((await freshDatabaseEnv()).DATABASE_URL!);
  database.port = String(proxy.port);
  proxiedDatabase = database.toString();
  api = await startApiProcess({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    WORKERS: "1",
    DATABASE_URL: database.toString(),
    DB_QUERY_TIMEOUT_MS: "2000",
    VALIDATION_LEASE_MS: "3000",
    VALIDATION_CHUNKS_IN_FLIGHT: "1",
    DOMAIN_RECHECK_INTERVAL: "0",
    DNS_SERVERS: dns.server,
  });
  key = /API key: (\S+)/.exec(api.started.output())![1]!;
}, 60_000);
afterAll(async () => {
  await api?.started.stop();
  await proxy?.close();
  await dns?.close();
});

const get = async (path: string) => {
  const started = Date.now();
  const response = await fetch(api.url + path, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as { code?: string; status?: string };
  return {
    status: response.status,
    code: body.code,
    ms: Date.now() - started,
    retryAfter: response.headers.get("retry-after"),
  };
};

describe("PostgreSQL faults", () => {
  it("a reset while a connection is held between queries does not end the process", async () => {
    // pg emits 'error' on a checked-out client that has no query in flight; without a listener
    // that is an uncaught exception (the worker processes that used to exit with code 1).
    const db = openPostgres(proxiedDatabase, { poolMax: 2, queryTimeoutMs: 2000 });
    await db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      proxy.reset();
      await new Promise((r) => setTimeout(r, 300));
      await expect(sql`select 1`.execute(connection)).rejects.toThrow();
    });
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    await db.destroy();
  });

  it("connections reset mid-job: the process lives, answers are 200 or 503 (not 401, 500), the job ends", async () => {
    const emails = Array.from({ length: 1000 }, (_, i) => `u${i}@d${i % 100}.fault.test`);
    const created = await fetch(`${api.url}/v1/email-validations`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ emails }),
    });
    const { id } = (await created.json()) as { id: string };
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      proxy.reset();
      seen.add((await get(`/v1/email-validations/${id}`)).status);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...seen].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    let status = "";
    for (let i = 0; i < 150 && status !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const job = await fetch(`${api.url}/v1/email-validations/${id}`, { headers: { authorization: `Bearer ${key}` } });
      if (job.ok) status = ((await job.json()) as { status: string }).status;
    }
    expect(status).toBe("completed");
    expect(api.started.process.exitCode).toBeNull();
  }, 60_000);

  it("connections refused: a valid key gets 503 store_unavailable with Retry-After, not 401, at once", async () => {
    proxy.refuse();
    proxy.reset();
    await new Promise((r) => setTimeout(r, 1100)); // past the key cache
    const answer = await get("/v1/destinations");
    expect(answer).toMatchObject({ status: 503, code: "store_unavailable", retryAfter: "5" });
    expect(answer.ms).toBeLessThan(8000);
    expect((await get("/healthz")).status).toBe(503);
    proxy.pass();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) back = (await get("/v1/destinations")).status;
    expect(back).toBe(200);
  }, 30_000);

  it("a partition (bytes black-holed): requests answer 503 within the bounds instead of hanging", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    proxy.blackhole();
    const answer = await get("/v1/destinations");
    proxy.pass();
    proxy.reset(); // the connections that saw the partition are not to be trusted
    expect(answer).toMatchObject({ status: 503, code: "store_unavailable" });
    // The query timeout (2 s here) or the connect timeout (5 s), not the 15 s+ of before.
    expect(answer.ms).toBeLessThan(8000);
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) back = (await get("/v1/destinations")).status;
    expect(back).toBe(200);
    expect(api.started.process.exitCode).toBeNull();
  }, 30_000);
});
