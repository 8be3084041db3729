import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { inProcessServer } from "../support/in-process.js";

// A cancel while a worker records a chunk of the job, on PostgreSQL (npm run test:pg). A worker's
// transaction locks the chunk, then the job (its counts); cancel used to lock the job, then the
// chunks: each waited for the other, PostgreSQL broke the deadlock by failing one of them, and the
// cancel answered 500 (seen in CI's contract run). Here a second session plays the worker, holding
// the chunk while the cancel comes in, then touching the job as a worker's transaction does.
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;

beforeAll(async () => {
  server = await inProcessServer({ env: { VALIDATION_SMTP_PROBE: "false" } });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("lock-order") });
});
afterAll(async () => {
  await server.close();
  await server.db.destroy();
});

describe("canceling a job while a worker records one of its chunks", () => {
  it("waits for the worker's transaction instead of deadlocking with it", async () => {
    const job = (await api.POST("/v1/email-validations", { body: { emails: ["a@b.example", "c@d.example"] } })).data!;
    const worker = new pg.Client({ connectionString: server.config.databaseUrl });
    await worker.connect();
    try {
      await worker.query("begin");
      await worker.query("update validation_chunks set attempts = attempts where validation_id = $1", [job.id]);
      const cancel = api.PATCH("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: job.id } },
        body: { status: "canceled" },
      });
      // The worker goes on only once the cancel waits for the chunk it holds (in the old order,
      // holding the job by then): by PostgreSQL's own account, not after a guessed delay.
      await expect
        .poll(
          async () =>
            (
              await worker.query<{ n: number }>(
                "select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))",
              )
            ).rows[0]?.n,
          { timeout: 10_000 },
        )
        .toBe(1);
      await worker.query("update email_validations set processed = processed where id = $1", [job.id]);
      await worker.query("commit");
      const canceled = await cancel;
      expect(canceled.response.status).toBe(200);
      expect(canceled.data!.status).toBe("canceled");
    } finally {
      await worker.end();
    }
  });
});
