import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createMailer } from "../../server/mail/mailer.js";
import { recordingLogger } from "../support/logs.js";
import { smtpSink } from "../support/smtp-sink.js";

// The mailer both ways it runs: in its own thread (npm start; dist/ is built by the test setup)
// and in the calling thread (npm run dev, from source).
const THREAD = new URL("../../dist/mail/mail-thread.js", import.meta.url);
const message = {
  to: "ana@acme.test",
  subject: "Please confirm ana@acme.test",
  text: "Open https://x.test/confirm/t0k3n",
  html: "<p>Open it</p>",
  resource: { type: "destination", id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01" },
};

describe.each([
  ["in its own thread", { thread: THREAD }],
  ["in the calling thread", {}],
] as const)("the mailer %s", (_, options) => {
  it("writes an .eml per message to the outbox without SMTP_URL, and logs the file and the resource", async () => {
    const outboxDir = mkdtempSync(join(tmpdir(), "mailproof-outbox-"));
    const { lines, logger } = recordingLogger();
    const mailer = createMailer({ smtpUrl: undefined, outboxDir, from: "verify@mailproof.test" }, logger, options);
    mailer.send(message);
    mailer.send({ ...message, to: "bo@acme.test" });
    await mailer.idle();
    const files = readdirSync(outboxDir);
    expect(files).toHaveLength(2);
    expect(files.map((f) => readFileSync(join(outboxDir, f), "utf8")).join("\n")).toMatch(
      /To: ana@acme\.test[\s\S]*To: bo@acme\.test|To: bo@acme\.test[\s\S]*To: ana@acme\.test/,
    );
    const written = lines.filter((l) => l.msg === "confirmation mail written to the outbox");
    expect(written.map((l) => l.file).sort()).toEqual(files.map((f) => join(outboxDir, f)).sort());
    expect(written.map((l) => l.resource_id)).toEqual([message.resource.id, message.resource.id]);
    // The address and the link are secrets of the person asked: never in a log line.
    expect(JSON.stringify(lines)).not.toMatch(/ana@acme|bo@acme|t0k3n/);
    expect(mailer.health()).toBe("ok");
  });

  it("retries an outbox file it could not write, and reports failing meanwhile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailproof-outbox-"));
    const outboxDir = join(dir, "outbox");
    const { lines, logger } = recordingLogger();
    const mailer = createMailer(
      { smtpUrl: undefined, outboxDir, from: "verify@mailproof.test", retryDelaysMs: [400] },
      logger,
      options,
    );
    // The outbox is gone and a file stands in its place: the write fails (ENOTDIR).
    await expect.poll(() => existsSync(outboxDir)).toBe(true);
    rmSync(outboxDir, { recursive: true });
    writeFileSync(outboxDir, "not a directory");
    mailer.send(message);
    await expect.poll(() => mailer.health()).toBe("failing");
    rmSync(outboxDir);
    mkdirSync(outboxDir);
    await mailer.idle();
    expect(mailer.health()).toBe("ok");
    expect(readdirSync(outboxDir)).toHaveLength(1);
    expect(lines.map((l) => l.msg)).toEqual(["sending mail failed", "confirmation mail written to the outbox"]);
    expect(lines[0]).toMatchObject({ attempt: 1, retry_in_ms: 400, error: expect.stringMatching(/ENOTDIR/) });
  });

  it("sends through SMTP, reports failing while the relay refuses, and recovers on a retry", async () => {
    const sink = await smtpSink();
    const { lines, logger } = recordingLogger();
    const outcomes: string[] = [];
    const mailer = createMailer(
      { smtpUrl: sink.url, outboxDir: "/nonexistent", from: "verify@mailproof.test", retryDelaysMs: [300] },
      logger,
      { ...options, onOutcome: (outcome) => outcomes.push(outcome) },
    );
    try {
      sink.state.failing = true;
      mailer.send(message);
      await expect.poll(() => mailer.health()).toBe("failing");
      sink.state.failing = false;
      await mailer.idle();
      expect(mailer.health()).toBe("ok");
      expect(sink.received.map((m) => m.subject)).toEqual([message.subject]);
      expect(lines.map((l) => l.msg)).toEqual(["sending mail failed", "confirmation mail sent"]);
      expect(outcomes).toEqual(["retrying", "sent"]);
      // The relay's answer and the message id say where the mail went; the resource says what it was.
      expect(lines[1]).toMatchObject({
        resource_type: "destination",
        resource_id: message.resource.id,
        message_id: expect.stringMatching(/^<.+@.+>$/),
        relay_response: expect.stringMatching(/^250 /),
      });
      expect(JSON.stringify(lines)).not.toMatch(/ana@acme|t0k3n/);
    } finally {
      await sink.close();
    }
  });
});

/** A mailer whose thread runs `source` (lines of an ES module) instead of the mail thread. */
function mailerOnThread(source: string[], extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-thread-"));
  const thread = join(dir, "thread.mjs");
  writeFileSync(thread, [...source, ""].join("\n"));
  const outboxDir = join(dir, "outbox");
  const { lines, logger } = recordingLogger();
  const settings = { smtpUrl: undefined, outboxDir, from: "verify@mailproof.test", ...extra };
  return { mailer: createMailer(settings, logger, { thread: pathToFileURL(thread) }), lines, outboxDir };
}

describe("the mailer when its thread dies", () => {
  it("says so, counts what was lost, and delivers what comes next in the calling thread", async () => {
    const { mailer, lines, outboxDir } = mailerOnThread([
      'import { parentPort } from "node:worker_threads";',
      'parentPort.on("message", () => { throw new Error("out of memory, say"); });',
    ]);
    mailer.send(message);
    await mailer.idle(); // the lost message does not hold idle() forever
    expect(lines[0]).toMatchObject({
      level: "error",
      msg: "the mail thread failed; delivering in the request thread from now on",
      error: "out of memory, say",
      lost: 1,
    });
    expect(mailer.health()).toBe("failing");
    mailer.send({ ...message, to: "bo@acme.test" });
    await mailer.idle();
    expect(readdirSync(outboxDir)).toHaveLength(1);
    expect(mailer.health()).toBe("ok");
  });

  it("delivers in the calling thread what was waiting to be handed over when the thread died", async () => {
    // The thread says through shared memory that it got the first message (1) and that it is
    // exiting of it (2: Node emits 'exit' just before it posts the error to this thread).
    const state = new Int32Array(new SharedArrayBuffer(4));
    const { mailer, lines, outboxDir } = mailerOnThread(
      [
        'import { parentPort, workerData } from "node:worker_threads";',
        "const state = new Int32Array(workerData.state);",
        'process.on("exit", () => Atomics.store(state, 0, 2));',
        'parentPort.on("message", () => {',
        "  Atomics.store(state, 0, 1);",
        '  throw new Error("gone");',
        "});",
      ],
      { state: state.buffer },
    );
    mailer.send(message);
    // After the turn that handed the first message over, this thread stays blocked until the
    // other is exiting and its error is on the way, then queues a second mail before its event
    // loop can hear of the death. The second mail is not lost with the first: it is written here.
    await new Promise((resolve) => setImmediate(resolve));
    const deadline = Date.now() + 10_000;
    while (Atomics.load(state, 0) !== 2 && Date.now() < deadline);
    expect(Atomics.load(state, 0)).toBe(2);
    const until = Date.now() + 50;
    while (Date.now() < until); // the error, serialized after 'exit', reaches this thread's queue
    mailer.send({ ...message, to: "bo@acme.test" });
    await mailer.idle();
    expect(lines[0]).toMatchObject({
      msg: "the mail thread failed; delivering in the request thread from now on",
      lost: 1,
    });
    const files = readdirSync(outboxDir);
    expect(files).toHaveLength(1);
    expect(readFileSync(join(outboxDir, files[0]!), "utf8")).toMatch(/^To: bo@acme\.test$/m);
  });
});
