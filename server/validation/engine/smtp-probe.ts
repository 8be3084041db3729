import { randomBytes } from "node:crypto";
import { SmtpSession, SmtpTimeout, SmtpUnavailable, type Reply, type SocksProxy } from "./smtp-session.js";

export interface ProbeSettings {
  port: number;
  heloName: string;
  mailFrom: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Wait before the one retry of recipients that got a temporary (greylisting) answer. */
  greylistRetryMs: number;
  /** Connect through this SOCKS5 proxy instead of directly. */
  proxy?: SocksProxy;
}

export type ProbeResult =
  | {
      kind: "answered";
      replies: Map<string, Reply>;
      catchAll: boolean | null;
      /** Recipients not asked about: their local part needs SMTPUTF8 and the server does not offer it. */
      needSmtpUtf8: Set<string>;
    }
  | { kind: "timeout" | "unavailable"; message: string };

const BATCH = 100;
/** A local part with non-ASCII characters can only be named to a server offering SMTPUTF8 (RFC 6531). */
const needsSmtpUtf8 = (rcpt: string) => /[^\x00-\x7f]/.test(rcpt);
/** Temporary answers that are not about the mailbox itself (greylisting, rate limits): retried once. */
const retryable = (r: Reply) => r.code >= 400 && r.code < 500 && r.code !== 452;

/**
 * Asks a domain's mail server about every recipient of that domain on one connection: EHLO,
 * MAIL FROM, then RCPT TO per address in transactions of at most 100 (RSET between), plus one
 * random local part to tell a catch-all; never DATA. Each transaction goes in one write when the
 * server offers PIPELINING. Tries each address of the host in turn.
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
      session = await SmtpSession.connect(address, settings.port, settings.connectTimeoutMs, settings.commandTimeoutMs, settings.proxy);
    } catch (error) {
      failure = failed(error);
      continue; // the next address of the host
    }
    try {
      return { kind: "answered", ...(await converse(session, recipients, settings)), catchAll: null };
    } catch (error) {
      failure = failed(error);
    } finally {
      await session.quit();
    }
  }
  return failure;
}

async function converse(session: SmtpSession, recipients: string[], settings: ProbeSettings): Promise<{ replies: Map<string, Reply>; needSmtpUtf8: Set<string> }> {
  const greeting = await session.reply();
  if (greeting.code !== 220) throw new Error(`greeting ${greeting.code} ${greeting.message}`);
  const { reply: hello, extensions } = await session.hello(settings.heloName);
  if (hello.code !== 250) throw new Error(`EHLO ${hello.code} ${hello.message}`);
  const smtpUtf8 = extensions.has("SMTPUTF8");
  const needSmtpUtf8 = new Set(smtpUtf8 ? [] : recipients.filter(needsSmtpUtf8));
  const asked = recipients.filter((rcpt) => !needSmtpUtf8.has(rcpt));
  const replies = new Map<string, Reply>();
  for (let start = 0; start < asked.length; start += BATCH) {
    const batch = asked.slice(start, start + BATCH);
    const mail = `MAIL FROM:<${settings.mailFrom}>${batch.some(needsSmtpUtf8) ? " SMTPUTF8" : ""}`;
    const { from, rcpt } = await transaction(session, extensions.has("PIPELINING"), start > 0, mail, batch);
    // A sender refused for good says nothing about the mailboxes (the server will not talk to
    // us): the probe failed. A temporary refusal answers for every recipient of its transaction,
    // and is retried with them.
    if (from.code >= 500) throw new SmtpUnavailable(`MAIL FROM refused: ${from.code} ${from.message}`);
    batch.forEach((address, i) => replies.set(address, from.code === 250 ? rcpt[i]! : from));
  }
  return { replies, needSmtpUtf8 };
}

/** One transaction: [RSET,] MAIL FROM, RCPT TO for each recipient; in one write when pipelining. */
async function transaction(session: SmtpSession, pipelining: boolean, reset: boolean, mail: string, batch: string[]): Promise<{ from: Reply; rcpt: Reply[] }> {
  const rcpts = batch.map((address) => `RCPT TO:<${address}>`);
  if (pipelining) {
    const replies = await session.pipeline([...(reset ? ["RSET"] : []), mail, ...rcpts]);
    const first = reset ? 1 : 0;
    return { from: replies[first]!, rcpt: replies.slice(first + 1) };
  }
  if (reset) await session.command("RSET");
  const from = await session.command(mail);
  const rcpt: Reply[] = [];
  if (from.code === 250) for (const line of rcpts) rcpt.push(await session.command(line));
  return { from, rcpt };
}

function failed(error: unknown): ProbeResult {
  const message = error instanceof Error ? error.message : String(error);
  return { kind: error instanceof SmtpTimeout ? "timeout" : "unavailable", message };
}
