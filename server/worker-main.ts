// `npm run worker`: validation workers without the HTTP server, for as many machines as needed.
// They share the database (PostgreSQL) with the API processes and claim chunks with leases.
import { createServer } from "node:http";
import { compose } from "./compose.js";
import { tokenCheck } from "./meta/routes.js";
import { onShutdown, openProcess, run } from "./process.js";
import { systemClock } from "./shared/clock.js";
import type { Metrics } from "./shared/metrics.js";

async function main(): Promise<void> {
  const { config, logger, db, metrics } = await openProcess("worker");
  const services = compose({ db, config, clock: systemClock, logger, metrics });
  const workers = services.startValidationWorkers(Math.max(1, config.workers));
  const dispatcher = services.startWebhookDispatcher();
  // This process serves no API: its metrics (the addresses its workers validated, its probes'
  // replies) are on a port of their own when the operator asks for one.
  const metricsServer =
    config.metrics.enabled && config.metrics.workerPort !== undefined
      ? await serveMetrics(metrics, config.host, config.metrics.workerPort, config.metrics.token)
      : null;
  const names = workers.map((w) => w.id).join(", ");
  process.stdout.write(
    `mailproof worker: ${workers.length} validation worker${workers.length > 1 ? "s" : ""} running (${names})\n`,
  );
  logger.info({ workers: names, metrics_port: config.metrics.workerPort ?? null }, "worker started");
  onShutdown(
    logger,
    async () => {
      metricsServer?.close();
      await Promise.all([...workers.map((w) => w.stop()), dispatcher.stop()]);
      logger.info({ workers: workers.length }, "shutdown: workers stopped, chunks handed back");
      await db.destroy();
      logger.info({}, "shutdown: store closed");
    },
    30_000,
  );
}

/** GET /metrics of this process (behind the token when one is set); anything else is 404. */
async function serveMetrics(metrics: Metrics, host: string, port: number, token: string | undefined) {
  const allowed = tokenCheck(token);
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") return void res.writeHead(404).end();
    if (!allowed(req.headers.authorization))
      return void res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="mailproof-metrics"' }).end();
    void metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  return server;
}

run("mailproof worker", main);
