import { randomBytes } from "node:crypto";
import type { SocksProxy } from "../config.js";
import { isAscii } from "../shared/domain.js";
import type { Pacer } from "./host-pace.js";
import { type Reply, SmtpSession, SmtpTimeout, SmtpUnavailable } from "./smtp-session.js";
import { isRateLimit, isSenderRefusal, reasonOfReply } from "./verdict.js";

export interface ProbeSettings {
  port: number;
  heloName: string;
  mailFrom: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Wait before the one retry of recipients that got a temporary (greylisting) answer. */
  greylistRetryMs: number;
  /**
   * Refused recipients one connection may collect before the next ones are asked on a new
   * connection: mail servers slow down or drop a client that makes many errors (Postfix delays
   * every reply by 1 s once a connection has made more than 10, and drops it after 20).
   */
  refusalsPerConnection: number;
  /** The first wait after a host's rate limit; it doubles with each further limit (HostPace). */
  rateLimitBackoffMs: number;
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

/** A mail host refused our sender (at MAIL FROM, or at RCPT TO): it will not talk to it about any mailbox. */
class SenderRefused extends SmtpUnavailable {
  constructor(readonly reply: Reply) {
    super(`sender refused: ${reply.code} ${reply.message}`);
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
/** Waits after rate limits before what is still limited is reported as such (1 + 2 + ... + 32 s by default). */
const LIMIT_RETRIES = 6;
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
  /** The mail host's pace within the job (HostPace), which rate limits slow down. */
  pace: Pacer,
): Promise<ProbeResult> {
  const canary = `mailproof-${randomBytes(6).toString("hex")}@${domain}`;
  const deadline = Date.now() + (settings.domainTimeoutMs ?? Number.POSITIVE_INFINITY);
  const everyone = [...recipients, canary];
  let result = await probeOnce(addresses, everyone, settings, deadline, pace);
  if (result.kind === "answered") {
    const again = [...result.replies].filter(([, reply]) => retryable(reply)).map(([rcpt]) => rcpt);
    if (again.length > 0 && Date.now() + settings.greylistRetryMs < deadline) {
      await new Promise((r) => setTimeout(r, settings.greylistRetryMs));
      result = merged(result, await probeOnce(addresses, again, settings, deadline, pace));
    }
  }
  result = await outwaitLimits(addresses, everyone, result, settings, deadline, pace);
  if (result.kind !== "answered") return result;
  const canaryReply = result.replies.get(canary);
  result.replies.delete(canary);
  return { ...result, catchAll: canaryReply ? catchAllOf(canaryReply) : null };
}

/**
 * While the host's answer for some recipients is a rate limit, asks again about those after a
 * wait that doubles each time (the host's pace, kept for the rest of the job), for as long as
 * the domain's time allows. What is still limited then is reported as such, never as a verdict.
 */
async function outwaitLimits(
  addresses: string[],
  recipients: string[],
  result: ProbeResult,
  settings: ProbeSettings,
  deadline: number,
  pace: Pacer,
): Promise<ProbeResult> {
  for (let retry = 0; retry < LIMIT_RETRIES; retry++) {
    const limited = limitedRecipients(recipients, result);
    if (limited.length === 0) return result;
    const wait = pace.slowDown();
    if (Date.now() + wait >= deadline) return result;
    result = merged(result, await probeOnce(addresses, limited, settings, deadline, pace));
  }
  return result;
}

/** The recipients whose only answer so far is a rate limit (or none, the conversation cut by one). */
function limitedRecipients(recipients: string[], result: ProbeResult): string[] {
  if (result.kind === "rate_limited") return recipients;
  if (result.kind !== "answered") return [];
  const cutByLimit = result.unanswered?.kind === "rate_limited";
  return recipients.filter((rcpt) => {
    const reply = result.replies.get(rcpt);
    return reply ? isRateLimit(reply) : cutByLimit && !result.needSmtpUtf8.has(rcpt);
  });
}

/** A result with a later pass's answers on top. */
function merged(before: ProbeResult, after: ProbeResult): ProbeResult {
  if (before.kind !== "answered") return after;
  if (after.kind !== "answered") return { ...before, unanswered: before.unanswered && after };
  for (const [rcpt, reply] of after.replies) before.replies.set(rcpt, reply);
  for (const rcpt of after.needSmtpUtf8) before.needSmtpUtf8.add(rcpt);
  return { ...before, unanswered: after.unanswered ?? before.unanswered };
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
 * One pass over the recipients. A conversation that ends part-way (the connection's share of
 * refusals is used up, or the server closed it: Postfix does after 20 refused recipients) keeps
 * its answers, and a new connection carries on from there, for as long as each one gets further.
 * Then the host's next address. A rate limit ends the pass: the caller waits before asking again.
 */
async function probeOnce(
  addresses: string[],
  recipients: string[],
  settings: ProbeSettings,
  deadline: number,
  pace: Pacer,
): Promise<ProbeResult> {
  const replies = new Map<string, Reply>();
  const needSmtpUtf8 = new Set<string>();
  const settled = () => replies.size + needSmtpUtf8.size;
  const answered = (unanswered: Failure | null): ProbeResult => ({
    kind: "answered",
    replies,
    needSmtpUtf8,
    catchAll: null,
    unanswered,
  });
  let failure: Failure | null = null;
  for (const address of addresses) {
    for (;;) {
      const remaining = recipients.filter((rcpt) => !replies.has(rcpt) && !needSmtpUtf8.has(rcpt));
      if (remaining.length === 0) return answered(null);
      const wait = pace.waitBefore();
      if (Date.now() + wait >= deadline) {
        failure = { kind: "timeout", message: "the domain's time was up" };
        return settled() > 0 ? answered(failure) : failure;
      }
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pace.started();
      const before = settled();
      const ended = await conversation(address, remaining, settings, deadline, replies, needSmtpUtf8);
      if (ended) failure = ended;
      if (ended?.kind === "rate_limited") {
        if (settled() > before) pace.progressed();
        return settled() > 0 ? answered(ended) : ended;
      }
      if (settled() === before) break; // this connection got nowhere: the next address
    }
  }
  failure ??= { kind: "unavailable", message: "no address to connect to" };
  return settled() > 0 ? answered(failure) : failure;
}

/** One connection's conversation; its answers go into `replies`. Returns why it ended early, if it did. */
async function conversation(
  address: string,
  recipients: string[],
  settings: ProbeSettings,
  deadline: number,
  replies: Map<string, Reply>,
  needSmtpUtf8: Set<string>,
): Promise<Failure | null> {
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
    const failure = failed(error);
    settings.observe?.(failure.kind === "timeout" ? "timeout" : "unavailable");
    return failure;
  }
  const observe = settings.observe;
  if (observe) session.onReply = (code) => observe(`${Math.min(5, Math.floor(code / 100))}xx` as ReplyClass);
  const timer = Number.isFinite(deadline)
    ? setTimeout(() => session.abort(new SmtpTimeout("the domain's time was up")), Math.max(0, deadline - Date.now()))
    : undefined;
  try {
    const limited = await converse(session, recipients, settings, replies, needSmtpUtf8);
    return limited ? { kind: "rate_limited", message: `${limited.code} ${limited.message}` } : null;
  } catch (error) {
    const failure = failed(error);
    // The refusal's reply was counted as a reply; the operator hears what it said.
    if (error instanceof SenderRefused) settings.onSenderRefused?.(address, error.reply);
    else settings.observe?.(failure.kind === "timeout" ? "timeout" : "unavailable");
    return failure;
  } finally {
    clearTimeout(timer);
    await session.quit();
  }
}

/**
 * One conversation: the greeting, EHLO, then the recipients in pipelined groups, in transactions
 * of at most 100 (RSET between). A group is sized so that the refusals it is expected to bring (at
 * the rate this domain has refused so far) fit in what the connection may still collect, so the
 * server's error tarpit does not start; once they are used up the conversation ends and the
 * caller opens a new one. Returns the rate limit that ended it early, if one did.
 */
async function converse(
  session: SmtpSession,
  recipients: string[],
  settings: ProbeSettings,
  replies: Map<string, Reply>,
  needSmtpUtf8: Set<string>,
): Promise<Reply | null> {
  const greeting = await session.reply();
  if (greeting.code !== 220) throw refusal("greeting", greeting);
  const { reply: hello, extensions } = await session.hello(settings.heloName);
  if (hello.code !== 250) throw new SmtpUnavailable(`EHLO ${hello.code} ${hello.message}`);
  if (!extensions.has("SMTPUTF8")) for (const rcpt of recipients.filter(needsSmtpUtf8)) needSmtpUtf8.add(rcpt);
  const asked = recipients.filter((rcpt) => !needSmtpUtf8.has(rcpt));
  const mail = `MAIL FROM:<${settings.mailFrom}>${asked.some(needsSmtpUtf8) ? " SMTPUTF8" : ""}`;
  const pipelining = extensions.has("PIPELINING");
  let errors = 0;
  let named = BATCH; // recipients named in the open transaction: none is open yet
  let transactions = 0;
  // How often this domain refuses, from its answers so far (with one refusal assumed, so that a
  // first group, knowing nothing, is no larger than the refusals the connection may still make).
  let answers = replies.size;
  let refused = [...replies.values()].filter((r) => r.code >= 400).length;
  for (let next = 0; next < asked.length; ) {
    const room = settings.refusalsPerConnection - errors;
    if (room <= 0) return null;
    const opening = named >= BATCH;
    const expected = Math.max(room, Math.floor((room * (answers + 1)) / (refused + 1)));
    const group = asked.slice(next, next + Math.min(expected, opening ? BATCH : BATCH - named));
    const step = { reset: opening && transactions > 0, mail: opening ? mail : null };
    const outcome = await exchange(session, pipelining, step, group, (rcpt, reply) => {
      replies.set(rcpt, reply);
      answers++;
      if (reply.code >= 400) refused++;
    });
    errors += outcome.errors;
    if (opening) transactions++;
    named = outcome.open ? (opening ? 0 : named) + group.length : BATCH;
    next += group.length;
    if (outcome.limit) return outcome.limit;
  }
  return null;
}

/**
 * One step of a transaction: [RSET, MAIL FROM,] then RCPT TO for each recipient of the group; in
 * one write when pipelining. Each recipient's answer is recorded as it arrives, so a conversation
 * cut short keeps them. Counts the error replies (what a server's tarpit counts).
 */
async function exchange(
  session: SmtpSession,
  pipelining: boolean,
  step: { reset: boolean; mail: string | null },
  group: string[],
  record: (rcpt: string, reply: Reply) => void,
): Promise<{ errors: number; open: boolean; limit: Reply | null }> {
  const rcpts = group.map((address) => `RCPT TO:<${address}>`);
  const head = [...(step.reset ? ["RSET"] : []), ...(step.mail ? [step.mail] : [])];
  if (pipelining) session.write([...head, ...rcpts]);
  let errors = 0;
  const ask = async (line: string) => {
    const reply = pipelining ? await session.reply() : await session.command(line);
    // 421 is about the connection (the server is closing it), never about the mailbox.
    if (reply.code === 421) throw refusal("the server closed the conversation:", reply);
    if (reply.code >= 400) errors++;
    return reply;
  };
  if (step.reset) await ask("RSET");
  if (step.mail) {
    const from = await ask(step.mail);
    // A sender refused for good says nothing about the mailboxes (the server will not talk to
    // us): the probe failed. A temporary refusal answers for every recipient of its group, and
    // is retried with them.
    if (from.code >= 500) throw new SenderRefused(from);
    if (from.code !== 250) {
      if (pipelining) for (const _ of rcpts) await ask("RCPT"); // their 503s, to stay in step
      for (const rcpt of group) record(rcpt, from);
      return { errors, open: false, limit: isRateLimit(from) ? from : null };
    }
  }
  let limit: Reply | null = null;
  for (const [i, line] of rcpts.entries()) {
    const reply = await ask(line);
    // Most servers judge the sender at RCPT time (Postfix's smtpd_delay_reject): a refusal
    // of our sender there is the same failure as at MAIL FROM.
    if (isSenderRefusal(reply)) throw new SenderRefused(reply);
    if (isRateLimit(reply)) limit ??= reply;
    record(group[i]!, reply);
  }
  return { errors, open: true, limit };
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
