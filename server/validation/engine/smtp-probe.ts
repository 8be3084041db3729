import { randomBytes } from "node:crypto";
import { SmtpSession, SmtpTimeout, type Reply } from "./smtp-session.js";

export interface ProbeSettings {
  port: number;
  heloName: string;
  mailFrom: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Wait before the one retry of recipients that got a temporary (greylisting) answer. */
  greylistRetryMs: number;
}

export type ProbeResult =
  | { kind: "answered"; replies: Map<string, Reply>; catchAll: boolean | null }
  | { kind: "timeout" | "unavailable"; message: string };

const BATCH = 100;
/** Temporary answers that are not about the mailbox itself (greylisting, rate limits): retried once. */
const retryable = (r: Reply) => r.code >= 400 && r.code < 500 && r.code !== 452;

/**
 * Asks a domain's mail server about every recipient of that domain on one connection: EHLO,
 * MAIL FROM, then RCPT TO per address in transactions of at most 100 (RSET between), plus one
 * random local part to tell a catch-all; never DATA. Tries each address of the host in turn.
 */
export async function probeDomain(addresses: string[], domain: string, recipients: string[], settings: ProbeSettings): Promise<ProbeResult> {
  const canary = `mailproof-${randomBytes(6).toString("hex")}@${domain}`;
  let result = await probeOnce(addresses, [...recipients, canary], settings);
  if (result.kind === "answered") {
    const again = [...result.replies].filter(([, reply]) => retryable(reply)).map(([rcpt]) => rcpt);
    if (again.length > 0) {
      await new Promise((r) => setTimeout(r, settings.greylistRetryMs));
      const retry = await probeOnce(addresses, again, settings);
      if (retry.kind === "answered") for (const [rcpt, reply] of retry.replies) result.replies.set(rcpt, reply);
    }
    const canaryReply = result.replies.get(canary);
    result.replies.delete(canary);
    result = { ...result, catchAll: canaryReply ? (canaryReply.code >= 200 && canaryReply.code < 300 ? true : canaryReply.code >= 500 ? false : null) : null };
  }
  return result;
}

async function probeOnce(addresses: string[], recipients: string[], settings: ProbeSettings): Promise<ProbeResult> {
  let failure: ProbeResult = { kind: "unavailable", message: "no address to connect to" };
  for (const address of addresses) {
    let session: SmtpSession;
    try {
      session = await SmtpSession.connect(address, settings.port, settings.connectTimeoutMs, settings.commandTimeoutMs);
    } catch (error) {
      failure = failed(error);
      continue; // the next address of the host
    }
    try {
      return { kind: "answered", replies: await converse(session, recipients, settings), catchAll: null };
    } catch (error) {
      failure = failed(error);
    } finally {
      await session.quit();
    }
  }
  return failure;
}

async function converse(session: SmtpSession, recipients: string[], settings: ProbeSettings): Promise<Map<string, Reply>> {
  const greeting = await session.reply();
  if (greeting.code !== 220) throw new Error(`greeting ${greeting.code} ${greeting.message}`);
  let hello = await session.command(`EHLO ${settings.heloName}`);
  if (hello.code >= 500) hello = await session.command(`HELO ${settings.heloName}`);
  if (hello.code !== 250) throw new Error(`EHLO ${hello.code} ${hello.message}`);
  const replies = new Map<string, Reply>();
  for (let start = 0; start < recipients.length; start += BATCH) {
    if (start > 0) await session.command("RSET");
    const from = await session.command(`MAIL FROM:<${settings.mailFrom}>`);
    if (from.code !== 250) {
      // The server refuses the sender: every recipient of this batch gets that answer.
      for (const rcpt of recipients.slice(start, start + BATCH)) replies.set(rcpt, from);
      continue;
    }
    for (const rcpt of recipients.slice(start, start + BATCH)) replies.set(rcpt, await session.command(`RCPT TO:<${rcpt}>`));
  }
  return replies;
}

function failed(error: unknown): ProbeResult {
  const message = error instanceof Error ? error.message : String(error);
  return { kind: error instanceof SmtpTimeout ? "timeout" : "unavailable", message };
}
