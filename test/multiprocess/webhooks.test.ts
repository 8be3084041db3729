import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { freshDatabaseEnv } from "../support/database.js";
import { eventually } from "../support/mail.js";
import { type Started, startApiProcess, startWorkerProcess } from "../support/processes.js";
import { allDelivered, hangThenFlakyReceiver, pingedEndpoints } from "../support/webhook-receiver.js";

// Webhook delivery on PostgreSQL with many workers (npm run test:pg): an API process without
// workers, a worker process SIGKILLed while its attempts wait on the receiver, two more that take
// its leased deliveries over once the leases run out. Every event arrives; none is lost.
let shared: Record<string, string>;
const processes: Started[] = [];
let receiver: Awaited<ReturnType<typeof hangThenFlakyReceiver>>;
let api: MailproofClient;

async function workerProcess(): Promise<Started> {
  const worker = await startWorkerProcess({ ...shared, WORKERS: "1" });
  processes.push(worker);
  return worker;
}

beforeAll(async () => {
  receiver = await hangThenFlakyReceiver();
  shared = {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    DOMAIN_RECHECK_INTERVAL: "0",
    WEBHOOK_ALLOW_HTTP: "true",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_TIMEOUT_MS: "5000",
    WEBHOOK_LEASE_MS: "6000",
    WEBHOOK_RETRY_SCALE: "0.0002",
    ...(await freshDatabaseEnv()),
  };
  const { url, started } = await startApiProcess({ ...shared, WORKERS: "0" });
  processes.push(started);
  api = createClient({ baseUrl: url, apiKey: /API key: (\S+)/.exec(started.output())![1]! });
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await receiver.close();
});

describe("webhook delivery with many workers on PostgreSQL", () => {
  it("survives a worker SIGKILLed mid-delivery: every event delivered, each id acknowledged", async () => {
    const { endpoints, eventIds } = await pingedEndpoints(api, receiver.url, 6, 5);
    const doomed = await workerProcess();
    await eventually(async () => (receiver.hanging() >= endpoints.length ? true : undefined), 20_000);
    doomed.process.kill("SIGKILL");
    receiver.recover();
    await workerProcess();
    await workerProcess();

    const delivered = await allDelivered(api, endpoints, 90_000);
    expect(delivered).toHaveLength(30);
    expect(new Set(delivered.map((d) => d.event_id))).toEqual(eventIds);
    expect(receiver.acknowledged).toEqual(eventIds);
  });
});
