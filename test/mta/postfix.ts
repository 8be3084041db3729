import { existsSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import type { startDnsServer } from "../support/dns-server.js";

/**
 * Debian's Postfix as scripts/mta/postfix-setup.sh configures it: 127.0.0.1:25 (the default error
 * tarpit) and 127.0.0.2:25 (rate limits on), postgrey for grey.test, and its log in one file.
 */
export const POSTFIX_LOG = "/var/log/mailproof-postfix.log";
export const POSTFIX = "127.0.0.1";
export const RATE_LIMITED_POSTFIX = "127.0.0.2";

/**
 * Whether Postfix answers; the error names the script that sets it up. (Only the first listener is
 * tried: a connection to the second would count against its rate limits.)
 */
export async function requirePostfix(): Promise<void> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect(25, POSTFIX, () => {
      resolve(true);
      socket.destroy();
    });
    socket.once("error", () => resolve(false));
  });
  if (!up || !existsSync(POSTFIX_LOG))
    throw new Error(`Postfix does not answer on ${POSTFIX}:25: run \`bash scripts/mta/postfix-setup.sh\` (as root)`);
}

/** The domains of the suite, in the suite's DNS server: each mail host is one of Postfix's listeners. */
export function publishMtaZones(dns: Awaited<ReturnType<typeof startDnsServer>>): void {
  const mx = (domain: string, exchange: string) => dns.publish(domain, { MX: [{ priority: 10, exchange }] });
  dns.publish("mx.mta.test", { A: [POSTFIX] });
  dns.publish("mx2.mta.test", { A: [RATE_LIMITED_POSTFIX] });
  for (const domain of ["mta.test", "catchall.test", "grey.test", "bulk.test", "policy.test", "relay.test"])
    mx(domain, "mx.mta.test");
  mx("ratelimit.test", "mx2.mta.test");
  // A dangling MX: the exchange's name does not exist.
  mx("dangling.test", "mx.gone.mta.test");
}

/** A mark in Postfix's log: what it logs after this point. */
export function logMark(): () => string {
  const offset = statSync(POSTFIX_LOG).size;
  return () => readFileSync(POSTFIX_LOG).subarray(offset).toString("utf8");
}

/** One SMTP conversation as Postfix's `disconnect from` line counts it. */
export interface Conversation {
  /** Each command Postfix counted: ok and total (`rcpt=3/5`: 3 accepted of 5). */
  commands: Record<string, { ok: number; total: number }>;
  /** Replies that were errors (the count the error tarpit works from). */
  errors: number;
  line: string;
}

/** The conversations in a piece of Postfix's log, from its `disconnect from` lines. */
export function conversations(log: string): Conversation[] {
  return log
    .split("\n")
    .filter((line) => /postfix\/smtpd\[\d+\]: disconnect from /.test(line))
    .map((line) => {
      const commands: Conversation["commands"] = {};
      let errors = 0;
      for (const [, name, ok, total] of line.matchAll(/ (\w+)=(\d+)(?:\/(\d+))?/g)) {
        if (name === "commands") continue;
        const count = { ok: Number(ok), total: Number(total ?? ok) };
        commands[name!] = count;
        errors += count.total - count.ok;
      }
      return { commands, errors, line };
    });
}
