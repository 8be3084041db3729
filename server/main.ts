import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp, WARM_UP_PATH } from "./app.js";
import { compose } from "./compose.js";
import { listen } from "./http/http-server.js";
import { createMailer } from "./mail/mailer.js";
import { onShutdown, openProcess, run } from "./process.js";
import { systemClock } from "./shared/clock.js";
import { redisAtStart } from "./shared/redis.js";

async function main(): Promise<void> {
  const { config, logger, db, metrics, releaseLock } = await openProcess("api", { apiLock: true });

  // Built (npm start), mail is composed and sent in its own thread; from source (npm run dev), here.
  const thread = new URL("./mail/mail-thread.js", import.meta.url);
  const mailer = createMailer(
    { smtpUrl: config.smtpUrl, outboxDir: join(config.dataDir, "outbox"), from: config.mailFrom },
    logger,
    {
      ...(existsSync(fileURLToPath(thread)) && { thread }),
      onOutcome: (outcome) => metrics.mailDeliveries.inc({ outcome }),
    },
  );
  const redis = await redisAtStart(config.redisUrl, config.redisKeyPrefix, logger);
  const services = compose({ db, config, clock: systemClock, logger, mailer, metrics, redis });
  const firstKey = (await services.accounts.bootstrap("default"))?.key;
  const app = buildApp({ services, db, config, mailer, clock: systemClock, logger });
  // The socket first: a port in use stops start-up before any worker claims a chunk.
  const server = await listen(app, config.port, config.host, config.http).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE")
      throw new Error(`${config.host}:${config.port} is already in use (PORT, HOST): is another server running?`);
    throw error;
  });
  services.startDomainRechecks();
  services.startSweeps();
  const workers = services.startValidationWorkers(config.workers);
  // Webhook deliveries run where validation workers do (WORKERS=0: an API-only process).
  const dispatcher = config.workers > 0 ? services.startWebhookDispatcher() : null;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  await warmUp(base);
  logger.info(
    {
      url: base,
      store: config.databaseUrl ? "postgresql" : "sqlite",
      budgets: services.limiter.countedIn,
      mail: config.smtpUrl ? "smtp" : "outbox",
      workers: workers.length,
      metrics: config.metrics.enabled ? (config.metrics.token ? "token" : "open") : "off",
    },
    "listening",
  );

  const lines = [
    `mailproof is listening on ${base}`,
    `  API reference: ${base}/docs`,
    `  data: ${config.databaseUrl ? `PostgreSQL (${databaseName(config.databaseUrl)})` : config.dataDir}`,
    config.smtpUrl
      ? "  mail: sent through SMTP_URL"
      : `  mail: written to ${join(config.dataDir, "outbox")} (one .eml per mail, with its link)`,
  ];
  if (firstKey) {
    lines.push(
      "",
      "First start: created the account 'default' and its API key. It is shown only this once:",
      "",
      `  API key: ${firstKey}`,
      "",
      `  curl -H 'Authorization: Bearer ${firstKey}' ${base}/v1/account`,
      "",
      "Confirmation mails show the account's display name ('default' for now). Set it with",
      `  curl -X PATCH -H 'Authorization: Bearer ${firstKey}' -H 'Content-Type: application/json' \\`,
      `       -d '{"display_name": "Your Company"}' ${base}/v1/account`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);

  // Queued mail goes out before the process does (within the 5 s bound).
  onShutdown(
    logger,
    async () => {
      await new Promise((resolve) => server.close(resolve));
      logger.info({}, "shutdown: stopped taking requests");
      await Promise.all([...workers.map((w) => w.stop()), dispatcher?.stop(), mailer.idle()]);
      logger.info({ workers: workers.length }, "shutdown: workers stopped, mail handed over");
      await Promise.all([db.destroy(), redis?.close()]);
      releaseLock();
      logger.info({}, "shutdown: store closed");
    },
    5000,
  );
}

/** host/database of a PostgreSQL URL: never its user or password. */
function databaseName(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname}`;
}

/**
 * The validator loads the contract on its first request (~0.5 s); pay that at start, not on a
 * user's first call. A path outside /v1 reaches the validator without authentication (so the
 * warm-up is not counted as a failed one); its answer (404) does not matter.
 */
async function warmUp(base: string): Promise<void> {
  await fetch(base + WARM_UP_PATH)
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}

run("mailproof", main);
