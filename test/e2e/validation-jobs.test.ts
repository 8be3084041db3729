import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type MailproofClient, validateEmails, validationResults } from "../../client/src/index.js";
import { EmailValidationRepository } from "../../server/email-validations/repository.js";
import { deleteEndedValidations, startValidationRetention } from "../../server/email-validations/retention.js";
import { ValidationWorker } from "../../server/email-validations/worker.js";
import { engineSettings } from "../../server/engine/settings.js";
import { systemClock } from "../../server/shared/clock.js";
import { silentLogger } from "../../server/shared/logger.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { inProcessServer } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";
import { eventually } from "../support/mail.js";
import { mxServer } from "../support/mx-server.js";

// Bulk jobs through the API, worked by a real worker, on loopback DNS and SMTP.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let mx: Awaited<ReturnType<typeof mxServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let worker: ValidationWorker;
let api: MailproofClient;

beforeAll(async () => {
  dns = await startDnsServer();
  const port = await freePort();
  mx = await mxServer({ host: "127.0.0.8", port, mailboxes: { "ana@bulk.test": "accept", "full@bulk.test": "full" } });
  dns.publish("bulk.test", { MX: [{ priority: 10, exchange: "mx.bulk.test" }] });
  dns.publish("mx.bulk.test", { A: ["127.0.0.8"] });
  dns.publish("crawl.test", { delayMs: 400, MX: [] });
  server = await inProcessServer({
    env: {
      DNS_SERVERS: dns.server,
      DNS_TIMEOUT_MS: "300",
      VALIDATION_SMTP_PORT: String(port),
      VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
      VALIDATION_GREYLIST_RETRY_MS: "10",
      BULK_BODY_LIMIT: "40mb",
    },
  });
  worker = new ValidationWorker(
    new EmailValidationRepository(server.db),
    engineSettings(server.config),
    systemClock,
    silentLogger,
    { leaseMs: 5000, idleMs: 20, maxAttempts: 3 },
  );
  worker.start();
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Bulk") });
});
afterAll(async () => {
  await worker.stop();
  await server.close();
  await Promise.all([mx.close(), dns.close()]);
});

describe("email validation jobs", () => {
  it("validates a batch once per unique address, with counts and results in email order", async () => {
    const emails = [
      "full@bulk.test",
      "ana@bulk.test",
      "nobody@bulk.test",
      "ana@bulk.test",
      "not an address",
      "x@missing.test",
      "x@missing.test",
    ];
    const job = await validateEmails(api, emails, { fallbackIntervalSeconds: 0.05 });
    expect(job.status).toBe("completed");
    expect(job.counts).toEqual({ total: 5, processed: 5, deliverable: 1, risky: 1, undeliverable: 3, unknown: 0 });
    expect(job.results.map((r) => [r.email, r.reason])).toEqual([
      ["ana@bulk.test", "accepted_email"],
      ["full@bulk.test", "mailbox_full"],
      ["nobody@bulk.test", "rejected_email"],
      ["not an address", "invalid_syntax"],
      ["x@missing.test", "invalid_domain"],
    ]);
    expect(job.started_at).not.toBeNull();
    expect(job.completed_at).not.toBeNull();
  });

  it("answers 202 with Location and Retry-After, and polling carries Retry-After until terminal", async () => {
    const { response, data } = await api.POST("/v1/email-validations", { body: { emails: ["ana@bulk.test"] } });
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/v1/email-validations/${data!.id}`);
    expect(response.headers.get("retry-after")).toBe("2");
    for (;;) {
      const polled = await api.GET("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: data!.id } },
      });
      if (polled.data!.status === "completed") {
        expect(polled.response.headers.get("retry-after")).toBeNull();
        break;
      }
      expect(polled.response.headers.get("retry-after")).toBe("2");
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it("pages 250 results by page[after]=<email>, forward and back", async () => {
    const emails = Array.from({ length: 250 }, (_, i) => `u${String(i).padStart(3, "0")}@missing.test`);
    const job = await validateEmails(api, emails, { fallbackIntervalSeconds: 0.05 });
    const all: string[] = [];
    for await (const r of validationResults(api, job.id, { pageSize: 100 })) all.push(r.email);
    expect(all).toEqual([...emails].sort());
    const second = await api.GET("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: job.id }, query: { page: { size: 100, after: all[99]! } } },
    });
    expect(second.data!.results[0]!.email).toBe(all[100]);
    const back = new URL(second.data!.links.prev!, "http://x").searchParams;
    expect(back.get("page[after]")).toBeNull();
    const third = await api.GET("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: job.id }, query: { page: { size: 100, after: all[199]! } } },
    });
    expect(new URL(third.data!.links.prev!, "http://x").searchParams.get("page[after]")).toBe(all[99]);
    expect(third.data!.links.next).toBeNull();
    // Past the last result: an empty page whose prev leads to the last full page (on PostgreSQL
    // this once sent a NUL byte to the database: a 500).
    const past = await api.GET("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: job.id }, query: { page: { size: 100, after: "zzz" } } },
    });
    expect(past.response.status).toBe(200);
    expect(past.data!.results).toEqual([]);
    expect(new URL(past.data!.links.prev!, "http://x").searchParams.get("page[after]")).toBe(all[149]);
  });

  it("cancel stops the work, keeps the results so far, and a second cancel is a 409", async () => {
    const slow = Array.from({ length: 400 }, (_, i) => `u${i}@crawl.test`);
    const { data } = await api.POST("/v1/email-validations", { body: { emails: ["ana@bulk.test", ...slow] } });
    const path = { params: { path: { validation_id: data!.id } } };
    await new Promise((r) => setTimeout(r, 300));
    const canceled = await api.PATCH("/v1/email-validations/{validation_id}", {
      ...path,
      body: { status: "canceled", ignored: true } as { status: "canceled" },
    });
    expect(canceled.response.status).toBe(200);
    expect(canceled.data!.status).toBe("canceled");
    expect(canceled.data!.counts.processed).toBeLessThan(401);
    await new Promise((r) => setTimeout(r, 1500));
    const later = (await api.GET("/v1/email-validations/{validation_id}", path)).data!;
    expect(later.status).toBe("canceled");
    expect(later.counts.processed).toBe(canceled.data!.counts.processed);
    const again = await api.PATCH("/v1/email-validations/{validation_id}", { ...path, body: { status: "canceled" } });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe("validation_finished");
    expect(again.error?.detail).toBe(`Email validation ${data!.id} is already canceled.`);
  });

  it("a cancel that comes as the job completes is a 409 that names how it ended", async () => {
    const { data } = await api.POST("/v1/email-validations", { body: { emails: ["ana@bulk.test"] } });
    const path = { params: { path: { validation_id: data!.id } } };
    await eventually(async () =>
      (await api.GET("/v1/email-validations/{validation_id}", path)).data?.status === "completed" ? true : undefined,
    );
    // The cancel's first read saw the job still running; it completed before the cancel's write.
    const service = server.services.emailValidations as unknown as {
      row: (accountId: string, id: string) => Promise<{ status: string }>;
    };
    const read = service.row.bind(service);
    vi.spyOn(service, "row").mockImplementationOnce(async (accountId, id) => ({
      ...(await read(accountId, id)),
      status: "processing",
    }));
    const late = await api.PATCH("/v1/email-validations/{validation_id}", { ...path, body: { status: "canceled" } });
    expect(late.response.status).toBe(409);
    expect(late.error?.detail).toBe(`Email validation ${data!.id} is already completed.`);
  });

  it("delete removes a job with its addresses and results; a running one is canceled first, its end told", async () => {
    const rowsOf = (id: string) =>
      Promise.all(
        (["email_validations", "validation_items", "validation_chunks"] as const).map(
          async (table) =>
            (
              await server.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number>().as("n"))
                .where(table === "email_validations" ? "id" : "validation_id", "=", id)
                .executeTakeFirstOrThrow()
            ).n,
        ),
      ).then((counts) => counts.map(Number));
    const { data } = await api.POST("/v1/email-validations", { body: { emails: ["ana@bulk.test", "full@bulk.test"] } });
    const path = { params: { path: { validation_id: data!.id } } };
    await eventually(async () =>
      (await api.GET("/v1/email-validations/{validation_id}", path)).data?.status === "completed" ? true : undefined,
    );
    expect(await rowsOf(data!.id)).toEqual([1, 2, 1]);
    // Another account's key cannot delete it: the id is unknown there.
    const other = createClient({ baseUrl: server.url, apiKey: await server.createKey("Other") });
    expect((await other.DELETE("/v1/email-validations/{validation_id}", path)).response.status).toBe(404);
    expect((await api.DELETE("/v1/email-validations/{validation_id}", path)).response.status).toBe(204);
    expect((await api.GET("/v1/email-validations/{validation_id}", path)).response.status).toBe(404);
    expect(await rowsOf(data!.id)).toEqual([0, 0, 0]);
    expect((await api.DELETE("/v1/email-validations/{validation_id}", path)).response.status).toBe(404);

    // A running job: canceled (a webhook would be told, as of a PATCH), deleted; the worker's
    // chunk in flight then records nothing.
    const slow = Array.from({ length: 400 }, (_, i) => `u${i}@crawl.test`);
    const running = (await api.POST("/v1/email-validations", { body: { emails: slow } })).data!;
    await new Promise((r) => setTimeout(r, 300));
    const ended: string[] = [];
    const repository = new EmailValidationRepository(server.db, async (_db, job) => {
      ended.push(job.status);
    });
    const { account_id } = await server.db
      .selectFrom("email_validations")
      .select("account_id")
      .where("id", "=", running.id)
      .executeTakeFirstOrThrow();
    expect(await repository.delete(account_id, running.id, new Date().toISOString())).toBe(true);
    expect(ended).toEqual(["canceled"]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await rowsOf(running.id)).toEqual([0, 0, 0]);
  });

  it("takes up to 100,000 entries; more is a 422 pointing at /emails", async () => {
    const tooMany = await fetch(`${server.url}/v1/email-validations`, {
      method: "POST",
      headers: { authorization: `Bearer ${await server.createKey("Bulk")}`, "content-type": "application/json" },
      body: JSON.stringify({ emails: Array.from({ length: 100_001 }, () => "a") }),
    });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe("/emails");
  });

  it("lists the account's jobs without their results", async () => {
    const { data } = await api.GET("/v1/email-validations", { params: { query: { status: "completed" } } });
    expect(data!.data.length).toBeGreaterThan(0);
    expect(data!.data.every((j) => j.status === "completed" && !("results" in j))).toBe(true);
  });

  // Last: it deletes every job the tests before left finished.
  it("deletes the jobs that ended longer ago than VALIDATION_RETENTION, not one that runs", async () => {
    const done = (await api.POST("/v1/email-validations", { body: { emails: ["ana@bulk.test"] } })).data!;
    const get = (id: string) =>
      api.GET("/v1/email-validations/{validation_id}", { params: { path: { validation_id: id } } });
    await eventually(async () => ((await get(done.id)).data?.status === "completed" ? true : undefined));
    const slow = Array.from({ length: 400 }, (_, i) => `r${i}@crawl.test`);
    const running = (await api.POST("/v1/email-validations", { body: { emails: slow } })).data!;
    const repository = new EmailValidationRepository(server.db);
    const day = 86_400_000;
    // Nothing ended a day ago yet.
    expect(await deleteEndedValidations(repository, systemClock, day)).toBe(0);
    expect((await get(done.id)).response.status).toBe(200);
    // A day and a minute later, the finished job is past a day's retention; the running one has not
    // ended. As the API process runs it: at start (then hourly), in its turn (PostgreSQL's lock).
    const later = () => new Date(Date.now() + day + 60_000);
    const { lines, logger } = recordingLogger();
    const sweep = startValidationRetention(server.db, repository, later, day, logger);
    try {
      await eventually(async () => lines.find((l) => l.msg === "email validations past VALIDATION_RETENTION deleted"));
    } finally {
      sweep.stop();
    }
    expect((await get(done.id)).response.status).toBe(404);
    expect((await get(running.id)).response.status).toBe(200);
    await api.DELETE("/v1/email-validations/{validation_id}", { params: { path: { validation_id: running.id } } });
  });
});

describe("a worker with many chunks in flight", () => {
  /** The real store, counting the claims a worker makes. */
  class CountingStore extends EmailValidationRepository {
    claims = 0;
    override claim(...args: Parameters<EmailValidationRepository["claim"]>) {
      this.claims++;
      return super.claim(...args);
    }
  }

  it("asks the store once per idle interval with nothing to do, yet takes many chunks when work comes", async () => {
    const store = new CountingStore(server.db);
    const busy = new ValidationWorker(store, engineSettings(server.config), systemClock, silentLogger, {
      leaseMs: 5000,
      idleMs: 100,
      maxAttempts: 3,
      inFlight: 32,
    });
    await worker.stop(); // the suite's worker would take the chunks
    try {
      busy.start();
      await new Promise((r) => setTimeout(r, 300)); // past the first round, when every loop asks once
      const before = store.claims;
      await new Promise((r) => setTimeout(r, 1000));
      // 32 loops that each polled every 100 ms would have asked about 320 times in this second.
      expect(store.claims - before).toBeLessThanOrEqual(15);
      const job = await validateEmails(
        api,
        Array.from({ length: 1000 }, (_, i) => `u${i}@d${i % 20}.missing.test`),
        { fallbackIntervalSeconds: 0.05 },
      );
      expect(job.counts).toMatchObject({ total: 1000, processed: 1000, undeliverable: 1000 });
    } finally {
      await busy.stop();
      worker.start();
    }
  });
});
