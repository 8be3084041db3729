// `npm run worker`: validation workers without the HTTP server, for as many machines as needed.
// They share the database (PostgreSQL) with the API processes and claim chunks with leases.
import { compose } from "./compose.js";
import { onShutdown, openProcess, run } from "./process.js";
import { systemClock } from "./shared/clock.js";

async function main(): Promise<void> {
  const { config, logger, db } = await openProcess();
  const workers = compose({ db, config, clock: systemClock, logger }).startValidationWorkers(
    Math.max(1, config.workers),
  );
  const names = workers.map((w) => w.id).join(", ");
  process.stdout.write(
    `mailproof worker: ${workers.length} validation worker${workers.length > 1 ? "s" : ""} running (${names})\n`,
  );
  onShutdown(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await db.destroy();
  }, 30_000);
}

run("mailproof worker", main);
