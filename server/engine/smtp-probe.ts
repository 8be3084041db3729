import { randomBytes } from "node:crypto";
import type { SocksProxy } from "../config.js";
import { isAscii } from "../shared/domain.js";
import { type Reply, SmtpSession, SmtpTimeout, SmtpUnavailable } from "./smtp-session.js";
import { isRateLimit, reasonOfReply } from "./verdict.js";

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
  /**
   * The most one domain's conversations may take, retries included; what is not answered by
   * then is a timeout (a host that answers slowly, or tarpits, cannot hold a chunk for hours).
   */
  domainTimeoutMs?: number;
  /** Hears each reply's class (2xx, 4xx, 5xx), and each conversation lost to a timeout or a refused connection. */
  observe?: (replyClass: ReplyClass) => void;
  /** Hears a mail host refuse the probe's sender for good (the operator should know: it is our identity). */
  onSenderRefused?: (host: string, reply: Reply) => void;
}

export type ReplyClass = "2xx" | "4xx" | "5xx" | "timeout" | "unavailable";

type Failure = { kind: "timeout" | "unavailable" | "sender_refused" | "rate_limited"; message: string };

/** The server refuses to talk to us now because of a limit ("421 4.7.0 too many connections"). */
class RateLimited extends SmtpUnavailable {}

/** A 421 (or other refusal of the conversation) as the error it is: a rate limit, or unavailability. */
function refusal(what: string, reply: Reply): SmtpUnavailable {
  const text = `${what} ${reply.code} ${reply.message}`;
  return isRateLimit(reply) ? new RateLimited(text) : new SmtpUnavailable(text);
}

/** A mail host refused MAIL FROM for good: it will not talk to this sender about any mailbox. */
class SenderRefused extends SmtpUnavailable {
  constructor(readonly reply: Reply) {
    super(`MAIL FROM refused: ${reply.code} ${reply.message}`);
  }
}

export type ProbeResult =
  | {
      kind: "answered";
      replies: Map<string, Reply>;
      catchAll: boolean | null;
      /** Recipients not asked about: their local part needs SMTPUTF8 and the server does not offer it. */
      needSmtpUtf8: Set<string>;
      /** Why recipients without a reply have none (the server stopped answering part-way), if any. */
      unanswered: Failure | null;
    }
  | Failure;

const BATCH = 100;
/** A local part with non-ASCII characters can only be named to a server offering SMTPUTF8 (RFC 6531). */
const needsSmtpUtf8 = (rcpt: string) => !isAscii(rcpt);
/**
 * Temporary answers that are not about the mailbox itself (greylisting): retried once. A rate
 * limit is not: a greylist's wait does not clear a limit counted per minute or per hour.
 */
const retryable = (r: Reply) => r.code >= 400 && r.code < 500 && r.code !== 452 && !isRateLimit(r);

/**
 * Asks a domain's mail server about every recipient of that domain on one connection: EHLO,
 * MAIL FROM, then RCPT TO per address in transactions of at most 100 (RSET between), plus one
 * random local part to tell a catch-all; never DATA. Each transaction goes in one write when the
 * server offers PIPELINING. A conversation cut short is continued on a new connection; a host
 * that does not answer at all, on its next address.
 */
export async function probeDomain(
  addresses: string[],
  domain: string,
  recipients: string[],
  settings: ProbeSettings,
): Promise<ProbeResult> {
  const canary = `mailproof-${randomBytes(6).toString("hex")}@${domain}`;
  const deadline = Date.now() + (settings.domainTimeoutMs ?? Number.POSITIVE_INFINITY);
  let result = await probeOnce(addresses, [...recipients, canary], settings, deadline);
  if (result.kind === "answered") {
    const again = [...result.replies].filter(([, reply]) => retryable(reply)).map(([rcpt]) => rcpt);
    if (again.length > 0 && Date.now() + settings.greylistRetryMs < deadline) {
      await new Promise((r) => setTimeout(r, settings.greylistRetryMs));
      const retry = await probeOnce(addresses, again, settings, deadline);
      if (retry.kind === "answered") for (const [rcpt, reply] of retry.replies) result.replies.set(rcpt, reply);
    }
    const canaryReply = result.replies.get(canary);
    result.replies.delete(canary);
    result = { ...result, catchAll: canaryReply ? catchAllOf(canaryReply) : null };
  }
  return result;
}

/**
 * What the answer for a made-up mailbox says of the domain: accepted, it takes mail for anyone
 * (true); refused as a mailbox that does not exist, it does not (false). A refusal by policy
 * (5.7.x: the probe itself was refused), a temporary answer or anything else says nothing (null).
 */
function catchAllOf(reply: Reply): boolean | null {
  if (reply.code >= 200 && reply.code < 300) return true;
  return reasonOfReply(reply, null) === "rejected_email" ? false : null;
}

/**
 * One pass over the recipients. A server may end a conversation part-way (Postfix closes it with
 * a 421 after 20 refused recipients): the answers so far are kept and a new connection carries on
 * from there, for as long as each connection gets further. Then the host's next address.
 */
async function probeOnce(
  addresses: string[],
  recipients: string[],
  settings: ProbeSettings,
  deadline: number,
): Promise<ProbeResult> {
  const replies = new Map<string, Reply>();
  const needSmtpUtf8 = new Set<string>();
  const settled = () => replies.size + needSmtpUtf8.size;
  let failure: Failure | null = null;
  for (const address of addresses) {
    for (;;) {
      const remaining = recipients.filter((rcpt) => !replies.has(rcpt) && !needSmtpUtf8.has(rcpt));
      if (remaining.length === 0) return { kind: "answered", replies, needSmtpUtf8, catchAll: null, unanswered: null };
      if (Date.now() >= deadline) {
        failure = { kind: "timeout", message: "the domain's time was up" };
        return settled() > 0
          ? { kind: "answered", replies, needSmtpUtf8, catchAll: null, unanswered: failure }
          : failure;
      }
      let session: SmtpSession;
      try {
        session = await SmtpSession.connect(
          address,
          settings.port,
          settings.connectTimeoutMs,
          settings.commandTimeoutMs,
          settings.proxy,
        );
      } catch (error) {
        failure = failed(error);
        settings.observe?.(failure.kind === "timeout" ? "timeout" : "unavailable");
        break; // the next address of the host
      }
      const observe = settings.observe;
      if (observe) session.onReply = (code) => observe(`${Math.min(5, Math.floor(code / 100))}xx` as ReplyClass);
      const before = settled();
      const timer = Number.isFinite(deadline)
        ? setTimeout(
            () => session.abort(new SmtpTimeout("the domain's time was up")),
            Math.max(0, deadline - Date.now()),
          )
        : undefined;
      try {
        await converse(session, remaining, settings, replies, needSmtpUtf8);
      } catch (error) {
        failure = failed(error);
        // The refusal's reply was counted as a 5xx; the operator hears what it said.
        if (error instanceof SenderRefused) settings.onSenderRefused?.(address, error.reply);
        else settings.observe?.(failure.kind === "timeout" ? "timeout" : "unavailable");
      } finally {
        clearTimeout(timer);
        await session.quit();
      }
      if (settled() === before) break; // this connection got nowhere: the next address
    }
  }
  failure ??= { kind: "unavailable", message: "no address to connect to" };
  return settled() > 0 ? { kind: "answered", replies, needSmtpUtf8, catchAll: null, unanswered: failure } : failure;
}

/** One conversation: the greeting, EHLO, then transactions of at most 100; answers go into `replies` as they come. */
async function converse(
  session: SmtpSession,
  recipients: string[],
  settings: ProbeSettings,
  replies: Map<string, Reply>,
  needSmtpUtf8: Set<string>,
): Promise<void> {
  const greeting = await session.reply();
  if (greeting.code !== 220) throw refusal("greeting", greeting);
  const { reply: hello, extensions } = await session.hello(settings.heloName);
  if (hello.code !== 250) throw new SmtpUnavailable(`EHLO ${hello.code} ${hello.message}`);
  if (!extensions.has("SMTPUTF8")) for (const rcpt of recipients.filter(needsSmtpUtf8)) needSmtpUtf8.add(rcpt);
  const asked = recipients.filter((rcpt) => !needSmtpUtf8.has(rcpt));
  for (let start = 0; start < asked.length; start += BATCH) {
    const batch = asked.slice(start, start + BATCH);
    const mail = `MAIL FROM:<${settings.mailFrom}>${batch.some(needsSmtpUtf8) ? " SMTPUTF8" : ""}`;
    await transaction(session, extensions.has("PIPELINING"), start > 0, mail, batch, (rcpt, reply) =>
      replies.set(rcpt, reply),
    );
  }
}

/**
 * One transaction: [RSET,] MAIL FROM, RCPT TO for each recipient; in one write when pipelining.
 * Each recipient's answer is recorded as it arrives, so a conversation cut short keeps them.
 */
async function transaction(
  session: SmtpSession,
  pipelining: boolean,
  reset: boolean,
  mail: string,
  batch: string[],
  record: (rcpt: string, reply: Reply) => void,
): Promise<void> {
  const rcpts = batch.map((address) => `RCPT TO:<${address}>`);
  if (pipelining) session.write([...(reset ? ["RSET"] : []), mail, ...rcpts]);
  const ask = async (line: string) => {
    const reply = pipelining ? await session.reply() : await session.command(line);
    // 421 is about the connection (the server is closing it), never about the mailbox.
    if (reply.code === 421) throw refusal("the server closed the conversation:", reply);
    return reply;
  };
  if (reset) await ask("RSET");
  const from = await ask(mail);
  // A sender refused for good says nothing about the mailboxes (the server will not talk to
  // us): the probe failed. A temporary refusal answers for every recipient of its transaction,
  // and is retried with them.
  if (from.code >= 500) throw new SenderRefused(from);
  if (from.code !== 250) {
    if (pipelining) for (let i = 0; i < rcpts.length; i++) await session.reply(); // their 503s, to stay in step
    for (const rcpt of batch) record(rcpt, from);
    return;
  }
  for (const [i, line] of rcpts.entries()) record(batch[i]!, await ask(line));
}

function failed(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  const kind =
    error instanceof SmtpTimeout
      ? "timeout"
      : error instanceof SenderRefused
        ? "sender_refused"
        : error instanceof RateLimited
          ? "rate_limited"
          : "unavailable";
  return { kind, message };
}
