// `npm run worker`: validation workers without the HTTP server, for as many machines as needed.
// They share the store (PostgreSQL) with the API processes and claim chunks with leases.
import { configOrExit } from "./config.js";
import { openStore } from "./db/database.js";
import { jsonLogger } from "./shared/logger.js";
import { startWorkers } from "./validation/start-workers.js";

async function main(): Promise<void> {
  const config = configOrExit(process.env);
  const logger = jsonLogger();
  const db = await openStore(config, { backgroundCheckpoints: true });
  const workers = startWorkers(db, { ...config, workers: Math.max(1, config.workers) }, logger);
  process.stdout.write(
    `mailproof worker: ${workers.length} validation worker${workers.length > 1 ? "s" : ""} running ` +
      `(${workers.map((w) => w.id).join(", ")})\n`,
  );
  const stop = () => {
    void Promise.all(workers.map((w) => w.stop()))
      .then(() => db.destroy())
      .finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 30_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`mailproof worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
