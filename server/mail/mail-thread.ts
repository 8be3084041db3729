// The mail thread: composes and delivers confirmation mail beside the request thread, so that
// requests never wait on it (composing, writing an outbox file or talking to a relay). With
// nodemailer's general composer this was most of a create's CPU time (POST /v1/destinations at 327
// req/s with it on the request thread, 936 without); mime.ts now composes in ~15 µs, and the thread
// still keeps the file writes and the relay's conversation off the request thread.
import { writeFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { LogLines } from "../shared/logger.js";
import { perTurn } from "../shared/per-turn.js";
import { createDelivery, type MailerSettings, type MailMessage } from "./delivery.js";
import type { ThreadEvent } from "./mailer.js";

const port = parentPort!;
// What one turn of this thread has to say goes over in one message (mailer.ts reads arrays).
const events = perTurn<ThreadEvent>((items) => port.postMessage(items));
const post = (event: ThreadEvent) => events.add(event);
const log = (level: "info" | "warn" | "error") => (fields: Record<string, unknown>, message: string) =>
  post({ kind: "log", level, message, fields });
const logger: LogLines = { info: log("info"), warn: log("warn"), error: log("error") };

// Outbox files are written synchronously: with no relay this thread has nothing else to do
// meanwhile, and writing through fs/promises (a file handle, three hand-overs to libuv's pool and
// their promises) took about a fifth of its time per mail (bench/README.md).
const delivery = createDelivery(
  workerData as MailerSettings,
  logger,
  (outcome) => post({ kind: "outcome", outcome }),
  writeFileSync,
);
port.on("message", (messages: MailMessage[]) => {
  for (const message of messages) void delivery.deliver(message).finally(() => post({ kind: "done" }));
});
