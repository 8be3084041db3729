import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { randomToken } from "../shared/ids.js";
import type { Logger } from "../shared/logger.js";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Logged in outbox mode only (no relay: the developer opens it from the log). */
  link: string;
}

export interface Mailer {
  /** Queues a message; delivery is retried with backoff and never fails the API call. */
  send(message: MailMessage): void;
  /** `failing` while the last delivery attempt failed. */
  health(): "ok" | "failing";
  /** Resolves when nothing is queued or being retried (tests, shutdown). */
  idle(): Promise<void>;
}

export interface MailerSettings {
  /** smtp:// or smtps:// with optional user:password; unset writes .eml files to `outboxDir`. */
  smtpUrl: string | undefined;
  outboxDir: string;
  from: string;
  /** Delays between attempts, in ms (the first attempt is immediate). */
  retryDelaysMs?: number[];
}

export function createMailer(settings: MailerSettings, logger: Logger): Mailer {
  const transport: Transporter = settings.smtpUrl
    ? nodemailer.createTransport(settings.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  if (!settings.smtpUrl) mkdirSync(settings.outboxDir, { recursive: true });
  const delays = settings.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000];
  let failing = false;
  const pending = new Set<Promise<void>>();

  async function deliver(message: MailMessage): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const info = (await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text, html: message.html })) as { message?: Buffer };
        if (!settings.smtpUrl) {
          const file = join(settings.outboxDir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomToken(4)}.eml`);
          writeFileSync(file, info.message ?? "");
          logger.info("confirmation mail written to the outbox", { file, link: message.link });
        } else {
          logger.info("confirmation mail sent", { attempt: attempt + 1 });
        }
        failing = false;
        return;
      } catch (error) {
        failing = true;
        const delay = delays[attempt];
        logger.error("sending mail failed", { attempt: attempt + 1, error: error instanceof Error ? error.message : String(error), retry_in_ms: delay ?? null });
        if (delay === undefined) return;
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  return {
    send(message) {
      const job = deliver(message).finally(() => pending.delete(job));
      pending.add(job);
    },
    health: () => (failing ? "failing" : "ok"),
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
