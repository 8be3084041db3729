import express, { type Express } from "express";
import { AccountService } from "./accounts/service.js";
import { AccountStore } from "./accounts/store.js";
import type { Config } from "./config.js";
import { FormGuard } from "./confirm/form-guard.js";
import { confirmationRoutes } from "./confirm/routes.js";
import { ConfirmationService } from "./confirm/service.js";
import { ConfirmationStore } from "./confirm/store.js";
import type { Db } from "./db/database.js";
import { postgresPoolOf } from "./db/postgres.js";
import { destinationRoutes } from "./destinations/routes.js";
import { DestinationService } from "./destinations/service.js";
import { DestinationStore } from "./destinations/store.js";
import { bundledSpec } from "./generated-files.js";
import { authenticate } from "./http/auth.js";
import { problemErrorHandler } from "./http/errors.js";
import { idempotency } from "./http/idempotency.js";
import { jsonBodies } from "./http/json-bodies.js";
import { integerQueryParameters, operationsOf } from "./http/operations.js";
import { ProblemError, requestPath } from "./http/problem.js";
import { RateLimiter } from "./http/rate-limit.js";
import { noNulInBody, requestHygiene } from "./http/request-hygiene.js";
import { limitPerKey } from "./http/request-limits.js";
import { cors, noSniff, noStore } from "./http/response-headers.js";
import { contractValidator } from "./http/validator.js";
import type { Mailer } from "./mail/mailer.js";
import { mailboxDomainService } from "./mailbox-domains/recheck.js";
import { mailboxDomainRoutes } from "./mailbox-domains/routes.js";
import { senderIdentityRoutes } from "./sender-identities/routes.js";
import { SenderIdentityService } from "./sender-identities/service.js";
import { SenderIdentityStore } from "./sender-identities/store.js";
import { serviceRoutes } from "./service/routes.js";
import type { Clock } from "./shared/clock.js";
import { randomToken } from "./shared/ids.js";
import type { Logger } from "./shared/logger.js";
import { EmailCheckService } from "./validation/checks.js";
import { emailCheckRoutes, emailValidationRoutes } from "./validation/routes.js";
import { ValidationService } from "./validation/service.js";
import { ValidationStore } from "./validation/store.js";

export interface AppDeps {
  db: Db;
  config: Config;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  /** Request budgets; built from the config on the store in use when not given. */
  limiter?: RateLimiter;
}

const CREATING_POSTS = ["/v1/destinations", "/v1/sender-identities", "/v1/mailbox-domains", "/v1/email-validations"];

/** The whole HTTP application, from explicit dependencies (tests build it with real parts). */
export function buildApp({
  db,
  config,
  mailer,
  clock,
  logger,
  limiter = rateLimiterFor(db, config),
}: AppDeps): Express {
  const accounts = new AccountService(new AccountStore(db), clock);
  const confirmationStore = new ConfirmationStore(db);
  const confirmations = new ConfirmationService(
    confirmationStore,
    mailer,
    clock,
    {
      publicUrl: config.publicUrl,
      minIntervalMs: config.resendMinIntervalSeconds * 1000,
      capPer24h: config.resendCapPer24h,
      tokenTtlMs: config.confirmTokenTtlHours * 3600 * 1000,
      quotaPerHour: config.mailQuotaPerHour,
    },
    (accountId) => accounts.nameOf(accountId),
  );
  const domains = mailboxDomainService(db, config, clock);
  const identities = new SenderIdentityService(new SenderIdentityStore(db), domains, confirmations, clock);
  domains.setDomainUsage((accountId, domainId) => identities.countByDomain(accountId, domainId));
  const destinations = new DestinationService(new DestinationStore(db), confirmations, clock);

  const app = express();
  app.disable("x-powered-by");
  // Resources change under their ids; nothing here answers conditional requests, so no ETags.
  app.set("etag", false);
  // deepObject parameters (`page[size]`) need the extended parser.
  app.set("query parser", "extended");
  // req.ip, which per-address limits count by: the peer, unless the operator names its proxies.
  app.set("trust proxy", config.trustProxy);

  const operations = operationsOf(bundledSpec);
  app.use(noSniff);
  // The API: CORS (preflights answered before authentication), then who is asking, then their
  // budget, and only then is a body read, within the limit of its operation.
  app.use("/v1", cors(config.corsOrigins), noStore, authenticate(accounts, limiter, config.rateLimits.auth_failures));
  app.use("/v1", limitPerKey(limiter, config.rateLimits, { bulk: "/v1/email-validations", check: "/v1/email-checks" }));
  // The public pages answer in HTML, errors included, so they come before the API's checks.
  const formGuard = new FormGuard(memoize(() => confirmationStore.sharedSecret("confirm-form-hmac", randomToken(32))));
  app.use(
    "/confirm",
    confirmationRoutes(confirmations, formGuard, limiter, logger, {
      secureCookie: config.publicUrl.startsWith("https:"),
    }),
  );
  app.use(requestHygiene(integerQueryParameters(bundledSpec)));
  app.use(
    jsonBodies(operations, {
      json: config.jsonBodyLimit,
      bulk: config.bulkBodyLimit,
      bulkOperationId: "createEmailValidation",
    }),
    noNulInBody,
  );
  // The validator skips the public pages (its ignorePaths); they are served further down.
  app.use(contractValidator({ spec: bundledSpec, validateResponses: config.validateResponses }));
  app.post(CREATING_POSTS, idempotency(db, clock));
  // Busiest first: every layer a request passes is a path match.
  app.use("/v1/destinations", destinationRoutes(destinations));
  app.use("/v1/sender-identities", senderIdentityRoutes(identities));
  app.use("/v1/mailbox-domains", mailboxDomainRoutes(domains));
  app.use("/v1/email-validations", emailValidationRoutes(new ValidationService(new ValidationStore(db), clock)));
  app.use("/v1/email-checks", emailCheckRoutes(new EmailCheckService(config)));
  app.use(serviceRoutes(db, mailer));
  app.use((req, _res, next) =>
    next(new ProblemError(404, "not_found", `There is no ${req.method} ${requestPath(req)} in this API.`)),
  );
  app.use(problemErrorHandler(logger));
  return app;
}

/** Budgets counted in this process (SQLite: one process serves it) or in PostgreSQL (shared by every process). */
export function rateLimiterFor(db: Db, config: Config): RateLimiter {
  const postgres = postgresPoolOf(db);
  return new RateLimiter(config.rateLimits, postgres ? { postgres } : {});
}

/** Runs `load` once; a failure is not kept, so the next call tries again (the store may be back). */
function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
