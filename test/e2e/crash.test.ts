import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, validationResults } from "../../client/src/index.js";
import { freshDatabaseEnv } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { type Started, startServerAt } from "../support/processes.js";

// Durability: a server process validating 20,000 addresses is killed with SIGKILL mid-job and
// restarted on the same store; the job completes with exactly one result per unique address.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let env: Record<string, string>;
let baseUrl: string;
const running: Started[] = [];

const start = () =>
  startServerAt(baseUrl, env).then((s) => {
    running.push(s);
    return s;
  });

beforeAll(async () => {
  dns = await startDnsServer();
  // 1,000 domains that answer NXDOMAIN after 100 ms: slow enough to kill the job mid-way.
  for (let d = 0; d < 1000; d++) dns.publish(`d${d}.crash.test`, { rcode: "NXDOMAIN", delayMs: 100 });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  env = {
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-crash-")),
    DNS_SERVERS: dns.server,
    DNS_TIMEOUT_MS: "2000",
    VALIDATION_LEASE_MS: "2000",
    WORKERS: "1",
    // One chunk at a time keeps the job running long enough to be killed in the middle.
    VALIDATION_CHUNKS_IN_FLIGHT: "1",
    DOMAIN_RECHECK_INTERVAL: "0",
    ...(await freshDatabaseEnv()),
  };
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await dns.close();
});

describe("a validation job survives SIGKILL", () => {
  it("finishes after a restart with exactly 20,000 results and matching counts", async () => {
    const first = await start();
    const apiKey = /API key: (\S+)/.exec(first.output())![1]!;
    const api = createClient({ baseUrl, apiKey });
    const emails = Array.from({ length: 20_000 }, (_, i) =>
      i % 10 === 9 ? `broken address ${i}` : `user${i}@d${i % 1000}.crash.test`,
    );
    const { data: job } = await api.POST("/v1/email-validations", { body: { emails } });
    const path = { params: { path: { validation_id: job!.id } } };

    let processed = 0;
    while (processed < 2000) {
      await new Promise((r) => setTimeout(r, 100));
      processed = (await api.GET("/v1/email-validations/{validation_id}", path)).data!.counts.processed;
    }
    first.process.kill("SIGKILL");
    await new Promise((r) => first.process.once("exit", r));
    expect(processed).toBeLessThan(20_000);

    await start();
    let final = (await api.GET("/v1/email-validations/{validation_id}", path)).data!;
    const deadline = Date.now() + 120_000;
    while (final.status !== "completed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      final = (await api.GET("/v1/email-validations/{validation_id}", path)).data!;
    }
    expect(final.status).toBe("completed");
    const { total, processed: done, deliverable, risky, undeliverable, unknown } = final.counts;
    expect({ total, done }).toEqual({ total: 20_000, done: 20_000 });
    expect(deliverable + risky + undeliverable + unknown).toBe(20_000);
    expect(undeliverable).toBe(20_000); // NXDOMAIN and malformed: every result counted once

    const seen = new Set<string>();
    for await (const r of validationResults(api, job!.id)) seen.add(r.email);
    expect(seen.size).toBe(20_000);
    expect([...seen].sort()).toEqual([...new Set(emails)].sort());
  }, 180_000);
});
