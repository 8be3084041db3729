import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import type { ValidationWorker } from "../../server/email-validations/worker.js";
import { startDnsServer } from "../support/dns-server.js";
import { inProcessServer } from "../support/in-process.js";

// Account A queues 300,000 addresses; account B then asks for 10. Chunks used to be claimed
// oldest first, so B waited for all of A's (43.4 s in the report, hours against real mail hosts).
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let a: MailproofClient;
let b: MailproofClient;
let workers: ValidationWorker[] = [];

beforeAll(async () => {
  dns = await startDnsServer();
  for (let d = 0; d < 1000; d++) dns.publish(`a${d}.backlog.test`, { rcode: "NXDOMAIN", delayMs: 30 });
  dns.publish("small.test", { rcode: "NXDOMAIN" });
  // 10,000 slow domains: a job over them takes half a minute whatever the engine caches.
  for (let d = 0; d < 10_000; d++) dns.publish(`h${d}.huge.test`, { rcode: "NXDOMAIN", delayMs: 200 });
  server = await inProcessServer({ env: { DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "2000", BULK_BODY_LIMIT: "40mb" } });
  a = createClient({ baseUrl: server.url, apiKey: await server.createKey("account-a") });
  b = createClient({ baseUrl: server.url, apiKey: await server.createKey("account-b") });
}, 60_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server.close();
  await dns.close();
});

const job = (client: MailproofClient, id: string) =>
  client.GET("/v1/email-validations/{validation_id}", { params: { path: { validation_id: id } } });

describe("fair claims", () => {
  it("B's 10 addresses complete within 5 s while 300,000 of A's are queued", async () => {
    const big: string[] = [];
    for (let j = 0; j < 3; j++) {
      const emails = Array.from({ length: 100_000 }, (_, i) => `u${j}-${i}@a${i % 1000}.backlog.test`);
      big.push((await a.POST("/v1/email-validations", { body: { emails } })).data!.id);
    }
    workers = server.services.startValidationWorkers(1);
    await new Promise((r) => setTimeout(r, 500)); // A's backlog is being worked
    const started = Date.now();
    const small = (
      await b.POST("/v1/email-validations", {
        body: { emails: Array.from({ length: 10 }, (_, i) => `b${i}@small.test`) },
      })
    ).data!;
    let status = small.status;
    while (status !== "completed" && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await job(b, small.id)).data!.status;
    }
    const seconds = (Date.now() - started) / 1000;
    expect(status).toBe("completed");
    expect(seconds, `B's job took ${seconds} s`).toBeLessThanOrEqual(5);
    // A's jobs are still going: B did not wait for them.
    expect((await job(a, big[2]!)).data!.status).not.toBe("completed");
    for (const id of big)
      await a.PATCH("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: id } },
        body: { status: "canceled" },
      });
  }, 60_000);

  it("within one account, a small job is not stuck behind a huge one of its own", async () => {
    const emails = Array.from({ length: 50_000 }, (_, i) => `h${i}@h${i % 10_000}.huge.test`);
    const huge = (await a.POST("/v1/email-validations", { body: { emails } })).data!;
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const small = (await a.POST("/v1/email-validations", { body: { emails: ["c1@small.test", "c2@small.test"] } }))
      .data!;
    let status = small.status;
    while (status !== "completed" && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await job(a, small.id)).data!.status;
    }
    expect(status).toBe("completed");
    expect((Date.now() - started) / 1000).toBeLessThanOrEqual(5);
    await a.PATCH("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: huge.id } },
      body: { status: "canceled" },
    });
  }, 60_000);
});
