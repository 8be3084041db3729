import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { DnsChecker } from "./dns-check.js";
import { MailboxDomainService } from "./service.js";
import { MailboxDomainStore } from "./store.js";

/** The family's service, wired from configuration. */
export function mailboxDomainService(db: Db, config: Config, clock: Clock): MailboxDomainService {
  return new MailboxDomainService(
    new MailboxDomainStore(db),
    clock,
    { inboundMxHost: config.inboundMxHost, spfInclude: config.spfInclude, verifyGraceMs: config.domainVerifyGraceMs },
    new DnsChecker({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs }),
  );
}

/**
 * Re-checks domains in the background every DOMAIN_RECHECK_INTERVAL (0: off): pending ones move
 * to verified or failed without a client calling verify; verified ones show a vanished record.
 */
export function startDomainRechecks(db: Db, config: Config, clock: Clock, logger: Logger): { stop: () => void } {
  if (config.domainRecheckIntervalMs === 0) return { stop: () => undefined };
  const service = mailboxDomainService(db, config, clock);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      // Batches until nothing is due, so a backlog clears in one round.
      while ((await service.recheckDue(config.domainRecheckIntervalMs)) === 100);
    } catch (error) {
      logger.error("domain re-check failed", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.min(config.domainRecheckIntervalMs, 60_000));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
