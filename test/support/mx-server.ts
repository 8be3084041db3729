import { SMTPServer } from "smtp-server";

/** How a mailbox answers RCPT TO; a reply spelled out is sent as it is (with its own enhanced code). */
export type MailboxBehaviour =
  | "accept"
  | "full"
  | "greylist-once"
  | "greylist-always"
  | { code: number; message: string };

export interface MxOptions {
  /** Which loopback address to listen on (127.0.0.N), all on the same port. */
  host: string;
  port: number;
  mailboxes: Record<string, MailboxBehaviour>;
  /** Accept every recipient (a catch-all domain). */
  catchAll?: boolean;
  /** Never send the greeting (a server that hangs). */
  silent?: boolean;
  /** Offer PIPELINING (RFC 2920) in the EHLO answer; true unless set. */
  pipelining?: boolean;
  /** Offer SMTPUTF8 (RFC 6531) in the EHLO answer; true unless set. */
  smtpUtf8?: boolean;
  /** Refuse the probe's sender with this code (a blocklisted sending address, say). */
  refuseSender?: number;
  /** After this many refused recipients on a connection, answer 421 and close (Postfix's smtpd_hard_error_limit). */
  errorLimit?: number;
  /** Refuse every connection with this answer instead of the greeting (a "421 too many connections"). */
  refuseConnection?: { code: number; message: string };
  /** How a recipient not in `mailboxes` is refused (default 550 "No such user"). */
  unknown?: { code: number; message: string };
  /** Prefix replies with RFC 3463 enhanced codes chosen by smtp-server; true unless set (off to spell them out). */
  enhancedStatusCodes?: boolean;
}

/** One connection as the server saw it. */
export interface SeenConnection {
  rcpts: string[];
  /** Recipients refused on this connection. */
  errors: number;
  /** One entry per MAIL FROM: whether it carried the SMTPUTF8 parameter. */
  transactions: { smtpUtf8: boolean }[];
  data: boolean;
}

/**
 * A mail server with known mailboxes (smtp-server) for probing tests: it answers RCPT TO per
 * mailbox and records every connection's commands, so tests can see batching and that no DATA
 * is ever sent.
 */
export async function mxServer(options: MxOptions) {
  const connections: SeenConnection[] = [];
  const greylisted = new Set<string>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    socketTimeout: 60_000,
    hidePIPELINING: options.pipelining === false,
    hideSMTPUTF8: options.smtpUtf8 === false,
    hideENHANCEDSTATUSCODES: options.enhancedStatusCodes === false,
    onConnect(session, callback) {
      connections.push({ rcpts: [], errors: 0, transactions: [], data: false });
      (session as unknown as { index: number }).index = connections.length - 1;
      if (options.silent) return; // never answers: the probe must time out
      if (options.refuseConnection)
        return callback(
          Object.assign(new Error(options.refuseConnection.message), { responseCode: options.refuseConnection.code }),
        );
      callback();
    },
    onMailFrom(address, session, callback) {
      connections[(session as unknown as { index: number }).index]!.transactions.push({
        smtpUtf8: typeof address.args === "object" && (address.args as Record<string, unknown>).SMTPUTF8 === true,
      });
      if (options.refuseSender)
        return callback(
          Object.assign(new Error("Sender address rejected: listed at a blocklist"), {
            responseCode: options.refuseSender,
          }),
        );
      callback();
    },
    onRcptTo(address, session, callback) {
      const rcpt = address.address.toLowerCase();
      connections[(session as unknown as { index: number }).index]!.rcpts.push(rcpt);
      const behaviour = options.mailboxes[rcpt];
      if (typeof behaviour === "object")
        return callback(Object.assign(new Error(behaviour.message), { responseCode: behaviour.code }));
      if (behaviour === "full")
        return callback(Object.assign(new Error("Mailbox full (Postfach überfüllt)"), { responseCode: 552 }));
      if (behaviour === "greylist-always" || (behaviour === "greylist-once" && !greylisted.has(rcpt))) {
        greylisted.add(rcpt);
        return callback(Object.assign(new Error("Greylisted, try again later"), { responseCode: 451 }));
      }
      if (behaviour || options.catchAll) return callback();
      const connection = connections[(session as unknown as { index: number }).index]!;
      if (options.errorLimit !== undefined && ++connection.errors > options.errorLimit) {
        return callback(Object.assign(new Error("Error: too many errors"), { responseCode: 421 }));
      }
      const refusal = options.unknown ?? { code: 550, message: "No such user" };
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      connections[(session as unknown as { index: number }).index]!.data = true;
      stream.resume();
      stream.on("end", () => callback());
    },
  });
  server.on("error", () => undefined); // a client resetting its connection is not a test failure
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return { connections, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
