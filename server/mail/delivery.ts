import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
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

export interface MailerSettings {
  /** smtp:// or smtps:// with optional user:password; unset writes .eml files to `outboxDir`. */
  smtpUrl: string | undefined;
  outboxDir: string;
  from: string;
  /** Delays between attempts, in ms (the first attempt is immediate). */
  retryDelaysMs?: number[];
}

export interface Delivery {
  /** Composes and delivers one message, retrying with backoff; resolves when it is sent or given up. */
  deliver(message: MailMessage): Promise<void>;
}

/**
 * Composing and handing over mail with nodemailer: an SMTP relay (SMTP_URL), or `.eml` files in
 * the outbox. `onHealth` hears whether the last attempt failed.
 */
export function createDelivery(
  settings: MailerSettings,
  logger: Logger,
  onHealth: (failing: boolean) => void,
): Delivery {
  const transport: Transporter = settings.smtpUrl
    ? nodemailer.createTransport(settings.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  if (!settings.smtpUrl) mkdirSync(settings.outboxDir, { recursive: true });
  const delays = settings.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000];

  return {
    async deliver(message) {
      for (let attempt = 0; ; attempt++) {
        try {
          const info = (await transport.sendMail({
            from: settings.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
          })) as { message?: Buffer };
          if (!settings.smtpUrl) {
            const file = join(
              settings.outboxDir,
              `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomToken(4)}.eml`,
            );
            await writeFile(file, info.message ?? "");
            logger.info("confirmation mail written to the outbox", { file, link: message.link });
          } else {
            logger.info("confirmation mail sent", { attempt: attempt + 1 });
          }
          onHealth(false);
          return;
        } catch (error) {
          onHealth(true);
          const delay = delays[attempt];
          logger.error("sending mail failed", {
            attempt: attempt + 1,
            error: error instanceof Error ? error.message : String(error),
            retry_in_ms: delay ?? null,
          });
          if (delay === undefined) return;
          await new Promise((r) => setTimeout(r, delay).unref());
        }
      }
    },
  };
}
