import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { EmailValidationRepository } from "../../server/email-validations/repository.js";
import { ValidationWorker } from "../../server/email-validations/worker.js";
import { engineSettings } from "../../server/engine/settings.js";
import { iso, systemClock } from "../../server/shared/clock.js";
import { createMetrics } from "../../server/shared/metrics.js";
import { startDnsServer } from "../support/dns-server.js";
import { inProcessServer } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";

// What a worker does when it is stopped, and what counts as a chunk's failure.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;

beforeAll(async () => {
  dns = await startDnsServer();
  // Slow answers, so a chunk is still in flight when the worker is told to stop.
  for (let d = 0; d < 200; d++) dns.publish(`d${d}.slow.test`, { rcode: "NXDOMAIN", delayMs: 1500 });
  server = await inProcessServer({
    env: { DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "5000", VALIDATION_LEASE_MS: "60000" },
  });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("faults") });
});
afterAll(async () => {
  await server.close();
  await dns.close();
});

const chunksOf = (id: string) =>
  server.db
    .selectFrom("validation_chunks")
    .select(["chunk", "status", "lease_owner", "attempts"])
    .where("validation_id", "=", id)
    .execute();

describe("a stopping worker", () => {
  it("hands its chunks in flight back at once instead of leaving them leased for a minute", async () => {
    const emails = Array.from({ length: 200 }, (_, i) => `u${i}@d${i}.slow.test`);
    const job = (await api.POST("/v1/email-validations", { body: { emails } })).data!;
    const [worker] = server.services.startValidationWorkers(1);
    for (let i = 0; i < 100 && !(await chunksOf(job.id)).some((c) => c.status === "leased"); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await chunksOf(job.id)).some((c) => c.status === "leased")).toBe(true);
    await worker!.stop();
    const after = await chunksOf(job.id);
    expect(after.filter((c) => c.status === "leased")).toEqual([]);
    expect(after.every((c) => c.lease_owner === null)).toBe(true);
    await api.PATCH("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: job.id } },
      body: { status: "canceled" },
    });
  });
});

describe("a chunk's attempts", () => {
  it("count failures, not claims: three reclaims after lost leases and one error do not fail the job", async () => {
    const job = (await api.POST("/v1/email-validations", { body: { emails: ["ana@d0.slow.test"] } })).data!;
    const repository = new EmailValidationRepository(server.db);
    const now = Date.now();
    // Three workers that claim the chunk and die: each lease has run out when the next claims.
    let claim = null;
    for (let i = 0; i < 4; i++)
      claim = await repository.claim(`dead-${i}`, iso(new Date(now + i * 1000)), iso(new Date(now + i * 1000 + 500)));
    // The last claim took the chunk over from a dead worker (a reclaim); the job started with the first.
    expect(claim).toEqual({ validationId: job.id, chunk: 0, reclaimed: true, started: false });
    expect((await chunksOf(job.id))[0]!.attempts).toBe(0);
    // The fourth fails once: one failure, below the limit of three; the job goes on.
    expect(await repository.releaseAfterFailure("dead-3", claim!)).toBe(1);
    expect(
      (await api.GET("/v1/email-validations/{validation_id}", { params: { path: { validation_id: job.id } } })).data!
        .status,
    ).toBe("processing");
    // A worker whose lease was lost meanwhile counts no failure at all.
    expect(await repository.releaseAfterFailure("dead-0", claim!)).toBe(0);
  });
});

describe("a chunk reclaimed from a dead worker", () => {
  it("is logged (warn) and counted as a reclaim, not as the job's start", async () => {
    dns.publish("reclaim.test", { rcode: "NXDOMAIN" });
    const job = (await api.POST("/v1/email-validations", { body: { emails: ["ana@reclaim.test"] } })).data!;
    const repository = new EmailValidationRepository(server.db);
    // A worker that claims the chunk and dies: its lease ran out a second ago.
    const past = Date.now() - 2000;
    expect(await repository.claim("dead", iso(new Date(past)), iso(new Date(past + 1000)))).toMatchObject({
      validationId: job.id,
      started: true,
      reclaimed: false,
    });
    const { lines, logger } = recordingLogger();
    const metrics = createMetrics({ processMetrics: false });
    const worker = new ValidationWorker(
      repository,
      engineSettings(server.config),
      systemClock,
      logger,
      { leaseMs: 60_000, idleMs: 50, maxAttempts: 3 },
      metrics,
    );
    worker.start();
    const mine = () => lines.filter((l) => l.validation_id === job.id).map((l) => [l.level, l.msg]);
    try {
      await expect.poll(mine, { timeout: 10_000 }).toContainEqual(["info", "validation job completed"]);
    } finally {
      await worker.stop();
    }
    expect(mine()).toEqual([
      ["warn", "validation chunk reclaimed"],
      ["info", "validation job completed"],
    ]);
    const claims = (await metrics.chunkClaims.get()).values;
    expect(claims.find((v) => v.labels.kind === "reclaimed")?.value).toBe(1);
  });
});
