import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import { systemClock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { engineSettings } from "./engine-settings.js";
import { ValidationStore } from "./store.js";
import { ValidationWorker } from "./worker.js";

/** Starts WORKERS validation workers in this process. */
export function startWorkers(db: Db, config: Config, logger: Logger): ValidationWorker[] {
  const workers = Array.from(
    { length: config.workers },
    () =>
      new ValidationWorker(new ValidationStore(db), engineSettings(config), systemClock, logger, {
        leaseMs: config.validationLeaseMs,
        idleMs: 250,
        maxAttempts: 3,
        inFlight: config.validation.chunksInFlight,
      }),
  );
  for (const worker of workers) worker.start();
  return workers;
}
