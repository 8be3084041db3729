import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient, validationResults } from "../../client/src/index.js";
import { freshDatabaseEnv } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { type Started, startApiProcess, startWorkerProcess } from "../support/processes.js";

// Many processes on one PostgreSQL (npm run test:pg): two API processes without workers, three
// worker processes, one of them killed mid-job.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let shared: Record<string, string>;
const processes: Started[] = [];
const apis: string[] = [];
let apiKey: string;

async function apiProcess(): Promise<string> {
  const { url, started } = await startApiProcess({ ...shared, WORKERS: "0" });
  processes.push(started);
  return url;
}

async function workerProcess(): Promise<Started> {
  const worker = await startWorkerProcess({ ...shared, WORKERS: "1" });
  processes.push(worker);
  return worker;
}

beforeAll(async () => {
  dns = await startDnsServer();
  for (let d = 0; d < 1000; d++) dns.publish(`d${d}.scale.test`, { rcode: "NXDOMAIN", delayMs: 30 });
  shared = {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    DNS_SERVERS: dns.server,
    DNS_TIMEOUT_MS: "2000",
    VALIDATION_LEASE_MS: "3000",
    DOMAIN_RECHECK_INTERVAL: "0",
    RESEND_MIN_INTERVAL_SECONDS: "0",
    // One chunk at a time per worker, so the job is still running when a worker is killed.
    VALIDATION_CHUNKS_IN_FLIGHT: "1",
    ...(await freshDatabaseEnv()),
  };
  apis.push(await apiProcess());
  apiKey = /API key: (\S+)/.exec(processes[0]!.output())![1]!;
  apis.push(await apiProcess());
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await dns.close();
});

const client = (i: number): MailproofClient => createClient({ baseUrl: apis[i]!, apiKey });

describe("scaling out on PostgreSQL", () => {
  it("three workers finish 30,000 addresses, one SIGKILLed: one result per address, none counted twice", async () => {
    const workers = [await workerProcess(), await workerProcess(), await workerProcess()];
    const emails = Array.from({ length: 30_000 }, (_, i) => `user${i}@d${i % 1000}.scale.test`);
    const { data: job, response } = await client(0).POST("/v1/email-validations", { body: { emails } });
    expect(response.status).toBe(202);
    const path = { params: { path: { validation_id: job!.id } } };
    let state = (await client(1).GET("/v1/email-validations/{validation_id}", path)).data!;
    while (state.counts.processed < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await client(1).GET("/v1/email-validations/{validation_id}", path)).data!;
    }
    workers[0]!.process.kill("SIGKILL");
    const deadline = Date.now() + 150_000;
    while (state.status !== "completed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      state = (await client(1).GET("/v1/email-validations/{validation_id}", path)).data!;
    }
    expect(state.status).toBe("completed");
    expect(state.counts).toMatchObject({ total: 30_000, processed: 30_000, undeliverable: 30_000 });
    let results = 0;
    for await (const _ of validationResults(client(0), job!.id)) results++;
    expect(results).toBe(30_000);
  }, 200_000);

  it("100 concurrent resends over two API processes send at most what the cap allows", async () => {
    const created = (await client(0).POST("/v1/destinations", { body: { email: "burst@scale.test" } })).data!;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client(i % 2).POST("/v1/destinations/{destination_id}/resend", {
          params: { path: { destination_id: created.id } },
        }),
      ),
    );
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(4); // 5 per 24 h, one went with create
    expect(results.filter((r) => r.response.status === 429).every((r) => r.error?.code === "resend_cap_reached")).toBe(
      true,
    );
    const after = (
      await client(1).GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })
    ).data!;
    expect(after.verification.sends_last_24h).toBe(5);
  });
});
