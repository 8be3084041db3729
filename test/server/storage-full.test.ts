import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverOnSmallDisk } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";

// SQLite on a 16 MB tmpfs, filled to the last byte: a full disk as an operator meets it. It used
// to answer 500 (and hide the cause behind "cannot rollback - no transaction is active"), leave a
// job in processing with no error, and report ok in /healthz.
let disk: Awaited<ReturnType<typeof serverOnSmallDisk>>;
const log = recordingLogger();
beforeAll(async () => {
  disk = await serverOnSmallDisk({ VALIDATION_SMTP_PROBE: "false", VALIDATION_LEASE_MS: "1000" }, log.logger);
});
afterAll(() => disk.close());

const call = (path: string, method = "GET", json?: unknown) =>
  fetch(disk.url + path, {
    method,
    headers: { authorization: `Bearer ${disk.key}`, ...(json !== undefined && { "content-type": "application/json" }) },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });

describe("a full disk under SQLite", () => {
  it("writes answer 507 with Retry-After, reads go on, /healthz says so; all is well once space returns", async () => {
    disk.fill();
    const refused = await call("/v1/destinations", "POST", { email: "ana@acme-logistics.com" });
    expect(refused.status).toBe(507);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({ code: "storage_full", status: 507 });
    expect((await call("/v1/destinations")).status).toBe(200);
    const health = await fetch(`${disk.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: "unavailable",
      checks: { store: "full", disk_free_bytes: expect.any(Number) },
    });

    disk.free();
    expect((await call("/v1/destinations", "POST", { email: "ana@acme-logistics.com" })).status).toBe(201);
    const healthy = (await (await fetch(`${disk.url}/healthz`)).json()) as {
      status: string;
      checks: { disk_free_bytes: number };
    };
    expect(healthy.status).toBe("ok");
    expect(healthy.checks.disk_free_bytes).toBeGreaterThan(1_000_000);
  });

  it("creates sent together on a full disk all answer 507, and none of them is kept", async () => {
    disk.fill();
    const emails = Array.from({ length: 10 }, (_, i) => `together-${i}@acme-logistics.com`);
    const answers = await Promise.all(emails.map((email) => call("/v1/destinations", "POST", { email })));
    expect(answers.map((a) => a.status)).toEqual(emails.map(() => 507));
    disk.free();
    const listed = (await (await call("/v1/destinations?page[size]=100")).json()) as { data: { email: string }[] };
    expect(listed.data.map((d) => d.email).filter((e) => e.startsWith("together-"))).toEqual([]);
    // Nothing half-kept: the same address is created anew, not a 409.
    expect((await call("/v1/destinations", "POST", { email: emails[3] })).status).toBe(201);
  });

  it("a job pauses while the disk is full and completes once space returns", async () => {
    const job = (await (
      await call("/v1/email-validations", "POST", { emails: ["a@b.example", "c@d.example", "not an address"] })
    ).json()) as { id: string };
    disk.fill();
    const [worker] = disk.services.startValidationWorkers(1);
    await new Promise((r) => setTimeout(r, 2500));
    const paused = (await (await call(`/v1/email-validations/${job.id}`)).json()) as { status: string };
    expect(["queued", "processing"]).toContain(paused.status);
    // The worker tried about ten times meanwhile (every 250 ms); its log says so once, with the
    // store's own error, not once per attempt.
    const workerLines = () => log.lines.filter((l) => l.msg.startsWith("validation worker"));
    expect(workerLines()).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "validation worker failed",
        error: expect.stringMatching(/full/i),
      }),
    ]);
    disk.free();
    let state = paused.status;
    // A generous bound: on a loaded machine the worker's next claim and the lookups take their time.
    for (let i = 0; i < 300 && state !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = ((await (await call(`/v1/email-validations/${job.id}`)).json()) as { status: string }).status;
    }
    await worker!.stop();
    // On a failure, what the worker logged says why.
    expect(state, JSON.stringify(log.lines.filter((l) => l.msg.startsWith("validation")))).toBe("completed");
    expect(workerLines().map((l) => l.msg)).toEqual(["validation worker failed", "validation worker works again"]);
    expect(workerLines()[1]!.failures).toBeGreaterThan(2);
  }, 60_000);
});
