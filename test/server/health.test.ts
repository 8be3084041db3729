import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../client/src/index.js";
import { EmailValidationRepository } from "../../server/email-validations/repository.js";
import { inProcessServer } from "../support/in-process.js";

// /healthz tells an operator when jobs cannot move: work waits and no worker of any process is alive.
let server: Awaited<ReturnType<typeof inProcessServer>>;
beforeAll(async () => {
  server = await inProcessServer();
});
afterAll(() => server.close());

type Health = {
  status: string;
  checks: { probe: string };
  workers: { alive: number; last_heartbeat_at: string | null };
  queue: { queued_chunks: number; oldest_queued_at: string | null };
};
const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as Health;

describe("health with a queue", () => {
  it("is degraded while chunks wait and no worker is alive, and ok once a worker runs them", async () => {
    const api = createClient({ baseUrl: server.url, apiKey: await server.createKey("health") });
    const job = (await api.POST("/v1/email-validations", { body: { emails: ["not-an-address"] } })).data!;
    const waiting = await health();
    expect(waiting).toMatchObject({
      status: "degraded",
      workers: { alive: 0, last_heartbeat_at: null },
      queue: { queued_chunks: 1, oldest_queued_at: job.created_at },
    });
    const [worker] = server.services.startValidationWorkers(1);
    try {
      await expect.poll(async () => (await health()).queue.queued_chunks).toBe(0);
      const running = await health();
      expect(running.status).toBe("ok");
      expect(running.workers.alive).toBe(1);
    } finally {
      await worker!.stop();
    }
  });

  it("says the probe's sender is refused while any worker's heartbeat reports a refusal of the last hour", async () => {
    const repository = new EmailValidationRepository(server.db);
    const now = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    await repository.workerSeen("elsewhere:1", at(now), at(now - 86_400_000), at(now - 5 * 60_000));
    expect((await health()).checks).toMatchObject({ probe: "sender_refused" });
    expect((await health()).status).toBe("degraded");
    // Two hours ago is not news any more.
    await repository.workerSeen("elsewhere:1", at(now), at(now - 86_400_000), at(now - 2 * 3600_000));
    expect((await health()).checks).toMatchObject({ probe: "ok" });
    await repository.workerGone("elsewhere:1");
  });
});
