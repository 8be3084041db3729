import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { freshDatabaseEnv } from "../support/database.js";
import { freePort } from "../support/free-port.js";
import { eventually } from "../support/mail.js";
import { type Started, startServerAt } from "../support/processes.js";
import { allDelivered, hangThenFlakyReceiver, pingedEndpoints } from "../support/webhook-receiver.js";

// At least once across a crash: the server is SIGKILLed while its deliveries wait on a receiver
// that does not answer, then restarted on the same store while the receiver answers 500 once per
// event; every event arrives, each with its one webhook-id, and every delivery ends delivered.
let env: Record<string, string>;
let baseUrl: string;
const running: Started[] = [];
let receiver: Awaited<ReturnType<typeof hangThenFlakyReceiver>>;

const start = () =>
  startServerAt(baseUrl, env).then((s) => {
    running.push(s);
    return s;
  });

beforeAll(async () => {
  receiver = await hangThenFlakyReceiver();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  env = {
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-webhook-crash-")),
    WORKERS: "1",
    DOMAIN_RECHECK_INTERVAL: "0",
    WEBHOOK_ALLOW_HTTP: "true",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    // The kill comes while attempts wait (well within the timeout); the restarted server takes
    // them over once their lease runs out.
    WEBHOOK_TIMEOUT_MS: "5000",
    WEBHOOK_LEASE_MS: "6000",
    WEBHOOK_RETRY_SCALE: "0.0002",
    ...(await freshDatabaseEnv()),
  };
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await receiver.close();
});

describe("webhook deliveries survive SIGKILL", () => {
  it("every event arrives after a restart, with the webhook-id it had, and every delivery ends delivered", async () => {
    const first = await start();
    const apiKey = /API key: (\S+)/.exec(first.output())![1]!;
    const api: MailproofClient = createClient({ baseUrl, apiKey });
    const { endpoints, eventIds } = await pingedEndpoints(api, receiver.url, 4, 3);
    // One attempt per endpoint in flight, each waiting on the receiver: kill the server now.
    await eventually(async () => (receiver.hanging() >= endpoints.length ? true : undefined));
    const inFlight = new Set(receiver.received.map((e) => e.headers["webhook-id"]));
    first.process.kill("SIGKILL");
    await new Promise((resolve) => first.process.once("exit", resolve));
    receiver.recover();
    await start();

    const delivered = await allDelivered(api, endpoints, 60_000);
    expect(delivered).toHaveLength(12);
    expect(new Set(delivered.map((d) => d.event_id))).toEqual(eventIds);
    // Nothing lost, each id at least once with a 2xx; the ones in flight at the kill were sent again.
    expect(receiver.acknowledged).toEqual(eventIds);
    for (const id of inFlight) {
      const sends = receiver.received.filter((e) => e.headers["webhook-id"] === id);
      expect(sends.length).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(receiver.received.map((e) => e.headers["webhook-id"]))).toEqual(eventIds);
  });
});
