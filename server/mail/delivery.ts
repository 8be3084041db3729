import { mkdirSync } from "node:fs";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { randomToken } from "../shared/ids.js";
import type { LogLines } from "../shared/logger.js";
import { mailComposer } from "./mime.js";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the mail is about, for the log (never the address or the link: they are secrets). */
  resource: { type: string; id: string };
}

/** How an attempt ended: handed to the relay, written to the outbox, failed (and retried), or given up. */
export type DeliveryOutcome = "sent" | "outbox" | "retrying" | "given_up";

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

/** Writes one outbox file; a failure (a full disk) is retried like a relay's. */
export type OutboxWriter = (file: string, data: Buffer | string) => Promise<void> | void;

/**
 * Composing mail (mime.ts) and handing it over: to an SMTP relay (SMTP_URL) with nodemailer, or as
 * `.eml` files in the outbox, written by `writeOutbox`. `onOutcome` hears how each attempt ended.
 */
export function createDelivery(
  settings: MailerSettings,
  logger: LogLines,
  onOutcome: (outcome: DeliveryOutcome) => void,
  writeOutbox: OutboxWriter,
): Delivery {
  const transport: Transporter | null = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : null;
  if (!transport) mkdirSync(settings.outboxDir, { recursive: true });
  const compose = mailComposer(settings.from);
  const delays = settings.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000];

  return {
    async deliver(message) {
      for (let attempt = 0; ; attempt++) {
        try {
          const about = { resource_type: message.resource.type, resource_id: message.resource.id };
          if (!transport) {
            // Files in the outbox end their lines as the machine's other text files do.
            const mail = compose(message, "\n");
            const file = join(
              settings.outboxDir,
              `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomToken(4)}.eml`,
            );
            await writeOutbox(file, mail.raw);
            logger.info({ ...about, file }, "confirmation mail written to the outbox");
            onOutcome("outbox");
          } else {
            const mail = compose(message, "\r\n");
            const info = (await transport.sendMail({ envelope: mail.envelope, raw: mail.raw })) as {
              response?: string;
            };
            // The relay's reply names its queue id (Postfix: "250 2.0.0 Ok: queued as 4F2C1…").
            logger.info(
              { ...about, attempt: attempt + 1, message_id: mail.messageId, relay_response: info.response },
              "confirmation mail sent",
            );
            onOutcome("sent");
          }
          return;
        } catch (error) {
          const delay = delays[attempt];
          logger.error(
            {
              resource_type: message.resource.type,
              resource_id: message.resource.id,
              attempt: attempt + 1,
              error: error instanceof Error ? error.message : String(error),
              retry_in_ms: delay ?? null,
            },
            delay === undefined ? "sending mail failed: given up" : "sending mail failed",
          );
          onOutcome(delay === undefined ? "given_up" : "retrying");
          if (delay === undefined) return;
          await new Promise((r) => setTimeout(r, delay).unref());
        }
      }
    },
  };
}
