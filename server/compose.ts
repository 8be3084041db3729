import { AccountRepository } from "./accounts/repository.js";
import { AccountService } from "./accounts/service.js";
import type { Config } from "./config.js";
import { FormGuard } from "./confirmations/form-guard.js";
import { ConfirmationRepository } from "./confirmations/repository.js";
import { ConfirmationService } from "./confirmations/service.js";
import { startConfirmationSweep } from "./confirmations/sweep.js";
import { sharedSecret } from "./db/app-secrets.js";
import type { Db } from "./db/database.js";
import { postgresPoolOf } from "./db/postgres.js";
import { destinationSubjects } from "./destinations/confirmable.js";
import { DestinationRepository } from "./destinations/repository.js";
import { DestinationService } from "./destinations/service.js";
import { EmailCheckService } from "./email-checks/service.js";
import { EmailValidationRepository } from "./email-validations/repository.js";
import { startValidationRetention } from "./email-validations/retention.js";
import { EmailValidationService, jobEvents } from "./email-validations/service.js";
import { ValidationWorker } from "./email-validations/worker.js";
import { ProbeHealth } from "./engine/probe-health.js";
import { engineSettings } from "./engine/settings.js";
import { IdempotencyRepository } from "./http/idempotency-repository.js";
import { startIdempotencySweep } from "./http/idempotency-sweep.js";
import { RateLimiter } from "./http/rate-limit.js";
import type { Mailer } from "./mail/mailer.js";
import { DnsChecker } from "./mailbox-domains/dns-check.js";
import { startDomainRechecks } from "./mailbox-domains/rechecks.js";
import { MailboxDomainRepository } from "./mailbox-domains/repository.js";
import { MailboxDomainService } from "./mailbox-domains/service.js";
import { identitySubjects } from "./sender-identities/confirmable.js";
import { SenderIdentityRepository } from "./sender-identities/repository.js";
import { SenderIdentityService } from "./sender-identities/service.js";
import type { Clock } from "./shared/clock.js";
import { addressResolver } from "./shared/dns.js";
import { randomToken } from "./shared/ids.js";
import type { Logger } from "./shared/logger.js";
import { createMetrics, type Metrics, observe } from "./shared/metrics.js";
import type { RedisStore } from "./shared/redis.js";
import { RETRY_DELAYS_MS, WebhookDispatcher } from "./webhook-endpoints/dispatcher.js";
import { WebhookEndpointRepository } from "./webhook-endpoints/repository.js";
import { WebhookEndpointService } from "./webhook-endpoints/service.js";

export interface Infrastructure {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Processes that send no mail (a worker, the keys CLI) leave it out; a send then fails loudly. */
  mailer?: Mailer;
  /** The process's metrics (the CLIs and most tests leave it out: a registry nobody reads). */
  metrics?: Metrics;
  /** Where the API process counts request budgets when REDIS_URL is set (nothing else uses it). */
  redis?: RedisStore;
}

/** Every service of mailproof, each built once, here and nowhere else. */
export type Services = ReturnType<typeof compose>;

/**
 * The composition root: the API process, the worker process, the keys CLI and the tests all build
 * their services by calling this. Dependencies are passed to constructors; nothing is wired
 * afterwards. Families that answer each other's questions get the other's repository (a domain
 * asks the identities' repository whether it is in use), never a half-built service.
 */
export function compose({
  db,
  config,
  clock,
  logger,
  mailer = noMailer,
  metrics = createMetrics({ processMetrics: false }),
  redis,
}: Infrastructure) {
  const accounts = new AccountService(new AccountRepository(db), clock);
  const webhookRepository = new WebhookEndpointRepository(db);
  // The key every endpoint's secret derives from: the operator's, or one every process shares.
  const signingKey = config.webhooks.signingKey
    ? () => Promise.resolve(config.webhooks.signingKey as string)
    : once(() => sharedSecret(db, "webhook-signing-key", randomToken(32)));
  // Webhook hosts are looked up like every other name (DNS_SERVERS, else the system's lookup).
  const resolveHost = addressResolver({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs });
  const webhookEndpoints = new WebhookEndpointService(webhookRepository, clock, {
    allowHttp: config.webhooks.allowHttp,
    allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
    signingKey,
    resolve: resolveHost,
  });
  const events = webhookEndpoints.outbox;
  const destinationRepository = new DestinationRepository(db);
  const identityRepository = new SenderIdentityRepository(db);
  const confirmationRepository = new ConfirmationRepository(db);

  const confirmations = new ConfirmationService(
    confirmationRepository,
    mailer,
    clock,
    {
      publicUrl: config.publicUrl,
      minIntervalMs: config.resendMinIntervalSeconds * 1000,
      capPer24h: config.resendCapPer24h,
      tokenTtlMs: config.confirmTokenTtlHours * 3600 * 1000,
      quotaPerHour: config.mailQuotaPerHour,
    },
    (accountId) => accounts.displayNameOf(accountId),
    {
      destination: destinationSubjects(destinationRepository, events),
      sender_identity: identitySubjects(identityRepository, events),
    },
  );
  const mailboxDomains = new MailboxDomainService(
    new MailboxDomainRepository(db),
    clock,
    { inboundMxHost: config.inboundMxHost, spfInclude: config.spfInclude, verifyGraceMs: config.domainVerifyGraceMs },
    new DnsChecker({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs }),
    (accountId, domainId) => identityRepository.countByDomain(accountId, domainId),
    events,
  );
  const emailValidationRepository = new EmailValidationRepository(db, jobEvents(events));
  const emailValidations = new EmailValidationService(emailValidationRepository, clock, logger);
  const idempotency = new IdempotencyRepository(db);
  const postgres = postgresPoolOf(db);
  // Every probe's replies, by class, on the process's metrics; a refused sender in the log (our
  // identity is at fault, so the operator must hear of it), at most once a minute per mail host.
  const refusalsLogged = new Map<string, number>();
  const probeHealth = new ProbeHealth();
  const onSenderRefused = (host: string, reply: { code: number; message: string }) => {
    probeHealth.recordRefusal(host, reply);
    const now = Date.now();
    if (now - (refusalsLogged.get(host) ?? 0) < 60_000) return;
    if (refusalsLogged.size > 1000) refusalsLogged.clear();
    refusalsLogged.set(host, now);
    logger.warn(
      {
        mail_host: host,
        reply: `${reply.code} ${reply.message}`,
        helo_name: config.validation.heloName,
        mail_from: config.validation.mailFrom,
      },
      "a mail host refused the probe's sender: its results are unknown/smtp_sender_refused",
    );
  };
  const probing = (overrides: { greylistRetryMs?: number } = {}) => {
    const settings = engineSettings(config, overrides);
    const observe = (replyClass: string) => metrics.probeReplies.inc({ class: replyClass });
    return { ...settings, probe: { ...settings.probe, observe, onSenderRefused } };
  };
  observe(metrics, {
    queue: () => emailValidations.queueStats(),
    pool: () =>
      postgres
        ? {
            total: postgres.totalCount,
            idle: postgres.idleCount,
            waiting: postgres.waitingCount,
            max: config.dbPoolMax,
          }
        : null,
    ...(redis && { redisUp: () => redis.up() }),
  });

  return {
    accounts,
    confirmations,
    destinations: new DestinationService(destinationRepository, confirmations, clock),
    senderIdentities: new SenderIdentityService(identityRepository, mailboxDomains, confirmations, clock),
    mailboxDomains,
    emailValidations,
    /** What this process's probes learned about their own identity (for /healthz). */
    probeHealth,
    // A greylisting server's retry would take longer than anyone waits on a form.
    emailChecks: new EmailCheckService(probing({ greylistRetryMs: 0 }), config.validation.checkTimeoutMs, (r) =>
      metrics.addressesValidated.inc({ result: r.result, reason: r.reason }),
    ),
    metrics,
    idempotency,
    /** Request budgets: in Redis if configured, else memory on SQLite, a table on PostgreSQL. */
    limiter: new RateLimiter(config.rateLimits, redis ? { redis } : postgres ? { postgres } : {}),
    // The confirm form's HMAC key: one secret every process shares, made by the first that asks.
    formGuard: new FormGuard(once(() => sharedSecret(db, "confirm-form-hmac", randomToken(32)))),
    /** `count` validation workers, started. */
    startValidationWorkers(count: number): ValidationWorker[] {
      const settings = probing();
      const options = {
        leaseMs: config.validationLeaseMs,
        idleMs: 250,
        maxAttempts: 3,
        inFlight: config.validation.chunksInFlight,
        senderRefusedAt: () => probeHealth.refusedSince(),
      };
      const workers = Array.from(
        { length: count },
        () => new ValidationWorker(emailValidationRepository, settings, clock, logger, options, metrics),
      );
      for (const worker of workers) worker.start();
      return workers;
    },
    webhookEndpoints,
    /** The outbox's delivery to webhook endpoints, started. */
    startWebhookDispatcher(): WebhookDispatcher {
      const dispatcher = new WebhookDispatcher(webhookRepository, clock, logger, {
        concurrency: config.webhooks.concurrency,
        leaseMs: config.webhooks.leaseMs,
        idleMs: 250,
        timeoutMs: config.webhooks.timeoutMs,
        allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
        resolve: resolveHost,
        retryDelaysMs: RETRY_DELAYS_MS.map((ms) => Math.max(1, Math.round(ms * config.webhooks.retryScale))),
        signingKey,
        onAttempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
      });
      dispatcher.start();
      return dispatcher;
    },
    /** The background re-check of mailbox domains, on the same service the API uses. */
    startDomainRechecks: () => startDomainRechecks(mailboxDomains, config.domainRecheckIntervalMs, logger),
    /**
     * The hourly deletions of what nothing reads any more: idempotency keys past their day, old
     * tokens and sends; and of what may be kept no longer: validations past VALIDATION_RETENTION.
     */
    startSweeps: () => [
      startIdempotencySweep(db, idempotency, clock, logger),
      startConfirmationSweep(db, confirmationRepository, clock, logger),
      startValidationRetention(db, emailValidationRepository, clock, config.validationRetentionMs, logger),
    ],
  };
}

const noMailer: Mailer = {
  send: () => {
    throw new Error("this process was built without a mailer: it cannot send confirmation mail");
  },
  health: () => "ok",
  idle: async () => undefined,
};

/** Runs `load` once; a failure is not kept, so the next call tries again (the database may be back). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
