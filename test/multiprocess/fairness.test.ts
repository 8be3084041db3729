import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { freshDatabaseEnv } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { type Started, startApiProcess, startWorkerProcess } from "../support/processes.js";
import { createKey } from "../support/real-server.js";

// Fair claims on PostgreSQL with two worker processes (npm run test:pg): with 300,000 of A's
// addresses queued, B's 10-address job completes within 5 s.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
const processes: Started[] = [];
let a: MailproofClient;
let b: MailproofClient;

beforeAll(async () => {
  dns = await startDnsServer();
  for (let d = 0; d < 1000; d++) dns.publish(`a${d}.backlog.test`, { rcode: "NXDOMAIN", delayMs: 30 });
  dns.publish("small.test", { rcode: "NXDOMAIN" });
  const shared = {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    DNS_SERVERS: dns.server,
    DNS_TIMEOUT_MS: "2000",
    BULK_BODY_LIMIT: "40mb",
    DOMAIN_RECHECK_INTERVAL: "0",
    ...(await freshDatabaseEnv()),
  };
  const api = await startApiProcess({ ...shared, WORKERS: "0" });
  processes.push(api.started);
  const key = /API key: (\S+)/.exec(api.started.output())![1]!;
  a = createClient({ baseUrl: api.url, apiKey: key });
  b = createClient({ baseUrl: api.url, apiKey: await createKey(shared, "account-b") });
  for (let i = 0; i < 2; i++) {
    processes.push(await startWorkerProcess({ ...shared, WORKERS: "1" }, `worker ${i}`));
  }
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await dns.close();
});

describe("fair claims on PostgreSQL, two workers", () => {
  it("B's 10 addresses complete within 5 s while 300,000 of A's are queued", async () => {
    const big: string[] = [];
    for (let j = 0; j < 3; j++) {
      const emails = Array.from({ length: 100_000 }, (_, i) => `u${j}-${i}@a${i % 1000}.backlog.test`);
      big.push((await a.POST("/v1/email-validations", { body: { emails } })).data!.id);
    }
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const emails = Array.from({ length: 10 }, (_, i) => `b${i}@small.test`);
    const small = (await b.POST("/v1/email-validations", { body: { emails } })).data!;
    let status = small.status;
    while (status !== "completed" && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await b.GET("/v1/email-validations/{validation_id}", { params: { path: { validation_id: small.id } } }))
        .data!.status;
    }
    const seconds = (Date.now() - started) / 1000;
    expect(status).toBe("completed");
    expect(seconds, `B's job took ${seconds} s`).toBeLessThanOrEqual(5);
    for (const id of big) {
      await a.PATCH("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: id } },
        body: { status: "canceled" },
      });
    }
  }, 90_000);
});
