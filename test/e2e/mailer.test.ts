import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createMailer } from "../../server/mail/mailer.js";
import type { Logger } from "../../server/shared/logger.js";
import { smtpSink } from "../support/smtp-sink.js";

// The mailer both ways it runs: in its own thread (npm start; dist/ is built by the test setup)
// and in the calling thread (npm run dev, from source).
const THREAD = new URL("../../dist/mail/mail-thread.js", import.meta.url);
const message = {
  to: "ana@acme.test",
  subject: "Please confirm ana@acme.test",
  text: "Open https://x.test/confirm/t0k3n",
  html: "<p>Open it</p>",
  link: "https://x.test/confirm/t0k3n",
};

function recordingLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log =
    (level: string) =>
    (m: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, message: m, fields });
  const logger: Logger = { info: log("info"), warn: log("warn"), error: log("error") };
  return { lines, logger };
}

describe.each([
  ["in its own thread", { thread: THREAD }],
  ["in the calling thread", {}],
] as const)("the mailer %s", (_, options) => {
  it("writes an .eml per message to the outbox without SMTP_URL, and logs where and the link", async () => {
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
    expect(
      lines.filter((l) => l.message === "confirmation mail written to the outbox").map((l) => l.fields.link),
    ).toEqual([message.link, message.link]);
    expect(mailer.health()).toBe("ok");
  });

  it("sends through SMTP, reports failing while the relay refuses, and recovers on a retry", async () => {
    const sink = await smtpSink();
    const { lines, logger } = recordingLogger();
    const mailer = createMailer(
      { smtpUrl: sink.url, outboxDir: "/nonexistent", from: "verify@mailproof.test", retryDelaysMs: [300] },
      logger,
      options,
    );
    try {
      sink.state.failing = true;
      mailer.send(message);
      await expect.poll(() => mailer.health()).toBe("failing");
      sink.state.failing = false;
      await mailer.idle();
      expect(mailer.health()).toBe("ok");
      expect(sink.received.map((m) => m.subject)).toEqual([message.subject]);
      expect(lines.map((l) => l.message)).toEqual(["sending mail failed", "confirmation mail sent"]);
      expect(JSON.stringify(lines)).not.toContain("t0k3n"); // with a relay, no link is logged
    } finally {
      await sink.close();
    }
  });
});

describe("the mailer when its thread dies", () => {
  it("says so, counts what was lost, and delivers what comes next in the calling thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailproof-thread-"));
    const broken = join(dir, "broken-thread.mjs");
    writeFileSync(
      broken,
      [
        'import { parentPort } from "node:worker_threads";',
        'parentPort.on("message", () => { throw new Error("out of memory, say"); });',
        "",
      ].join("\n"),
    );
    const outboxDir = join(dir, "outbox");
    const { lines, logger } = recordingLogger();
    const mailer = createMailer({ smtpUrl: undefined, outboxDir, from: "verify@mailproof.test" }, logger, {
      thread: pathToFileURL(broken),
    });
    mailer.send(message);
    await mailer.idle(); // the lost message does not hold idle() forever
    expect(lines[0]).toMatchObject({
      level: "error",
      message: "the mail thread failed; delivering in the request thread from now on",
      fields: { error: "out of memory, say", lost: 1 },
    });
    expect(mailer.health()).toBe("failing");
    mailer.send({ ...message, to: "bo@acme.test" });
    await mailer.idle();
    expect(readdirSync(outboxDir)).toHaveLength(1);
    expect(mailer.health()).toBe("ok");
  });
});
