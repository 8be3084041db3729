import type { Logger } from "../shared/logger.js";
import { runPeriodically } from "../shared/periodic.js";
import type { MailboxDomainService } from "./service.js";

/**
 * Re-checks domains in the background every `intervalMs` (0: off): pending ones move to verified
 * or failed without a client calling verify; verified ones show a vanished record.
 */
export function startDomainRechecks(
  service: MailboxDomainService,
  intervalMs: number,
  logger: Logger,
): { stop: () => void } {
  if (intervalMs === 0) return { stop: () => undefined };
  return runPeriodically(
    Math.min(intervalMs, 60_000),
    async () => {
      const { looked, failed, failure } = await service.recheckRound(intervalMs);
      // A resolver that does not answer leaves domains where they are: the operator should know.
      if (failed > 0)
        logger.warn({ looked, failed, error: failure }, "domain re-check: lookups failed, asked again next round");
    },
    (error) =>
      logger.error({ error: error instanceof Error ? error.message : String(error) }, "domain re-check failed"),
  );
}
