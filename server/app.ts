import express, { type Express, type Request } from "express";
import { accountRoutes } from "./accounts/routes.js";
import type { Services } from "./compose.js";
import type { Config } from "./config.js";
import { confirmationRoutes } from "./confirmations/routes.js";
import type { Db } from "./db/database.js";
import { destinationRoutes } from "./destinations/routes.js";
import { emailCheckRoutes } from "./email-checks/routes.js";
import { emailValidationRoutes } from "./email-validations/routes.js";
import { bundledSpec } from "./generated-files.js";
import { authenticate } from "./http/auth.js";
import { problemErrorHandler } from "./http/errors.js";
import { idempotency } from "./http/idempotency.js";
import { jsonBodies } from "./http/json-bodies.js";
import { integerQueryParameters, operationsOf } from "./http/operations.js";
import { ProblemError, requestPath } from "./http/problem.js";
import { noNulInBody, requestHygiene } from "./http/request-hygiene.js";
import { limitPerKey } from "./http/request-limits.js";
import { requestLog } from "./http/request-log.js";
import { cors, noSniff, noStore } from "./http/response-headers.js";
import { operationDispatcher } from "./http/typed-route.js";
import { contractValidator, matchedOperation } from "./http/validator.js";
import type { Mailer } from "./mail/mailer.js";
import { mailboxDomainRoutes } from "./mailbox-domains/routes.js";
import { metaRoutes } from "./meta/routes.js";
import { senderIdentityRoutes } from "./sender-identities/routes.js";
import type { Clock } from "./shared/clock.js";
import type { Logger } from "./shared/logger.js";
import { webhookEndpointRoutes } from "./webhook-endpoints/routes.js";

export interface AppDeps {
  services: Services;
  db: Db;
  config: Config;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
}

/** What the process asks itself at start, so that the validator compiles before a user's request (main.ts). */
export const WARM_UP_PATH = "/.well-known/mailproof-warm-up";

const CREATING_POSTS = ["/v1/destinations", "/v1/sender-identities", "/v1/mailbox-domains", "/v1/email-validations"];

/** The whole HTTP application, from the composed services (tests build it with real parts too). */
export function buildApp({ services, db, config, mailer, clock, logger }: AppDeps): Express {
  const { limiter } = services;
  const app = express();
  app.disable("x-powered-by");
  // Resources change under their ids; nothing here answers conditional requests, so no ETags.
  app.set("etag", false);
  // The contract's paths are exact: /V1/Destinations is not /v1/destinations (the mock says 404
  // too). Case-blind routing let each layer decide alone: the mounts and the validator matched it,
  // the body parser and the budgets by path did not (its POST was a 422 asking for a body).
  app.set("case sensitive routing", true);
  // deepObject parameters (`page[size]`) need the extended parser.
  app.set("query parser", "extended");
  // req.ip, which per-address limits count by: the peer, unless the operator names its proxies.
  app.set("trust proxy", config.trustProxy);

  const operations = operationsOf(bundledSpec);
  // First: every request has an id, a log line and its metrics, whatever answers it.
  // The validator has matched a request of the contract to its operation by the time it is logged;
  // only what it does not see (the pages, /healthz, a request refused before it) is looked up here.
  const templates = new Map(operations.map((o) => [o.operationId, o.path]));
  const routeOf = (req: Request, path: string) =>
    templates.get(matchedOperation(req)?.operationId ?? "") ??
    operations.find((o) => o.matches.test(path))?.path ??
    "unmatched";
  app.use(requestLog(logger, services.metrics, routeOf, { quietPaths: [WARM_UP_PATH] }));
  app.use(noSniff);
  // The API: CORS (preflights answered before authentication), then who is asking, then their
  // budget, and only then is a body read, within the limit of its operation.
  const authenticateKey = (key: string) => services.accounts.authenticate(key);
  app.use(
    "/v1",
    cors(config.corsOrigins),
    noStore,
    authenticate(authenticateKey, limiter, config.rateLimits.auth_failures),
  );
  app.use("/v1", limitPerKey(limiter, config.rateLimits, { bulk: "/v1/email-validations", check: "/v1/email-checks" }));
  // The public pages answer in HTML, errors included, so they come before the API's checks.
  app.use(
    "/confirm",
    confirmationRoutes(services.confirmations, services.formGuard, limiter, logger, {
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
  app.post(CREATING_POSTS, idempotency(services.idempotency, clock, { waitForFirstMs: 10_000 }));
  // A webhook endpoint's answer holds its signing secret: a replay gets it from its source again.
  app.post(
    "/v1/webhook-endpoints",
    idempotency(services.idempotency, clock, {
      waitForFirstMs: 10_000,
      secret: {
        field: "secret",
        restore: (accountId, stored) => services.webhookEndpoints.revealed(accountId, stored),
      },
    }),
  );
  // Each handler serves its operation of the contract, as the validator matched it.
  const api = operationDispatcher(operations, [
    ...accountRoutes(services.accounts),
    ...destinationRoutes(services.destinations),
    ...senderIdentityRoutes(services.senderIdentities),
    ...mailboxDomainRoutes(services.mailboxDomains),
    ...emailValidationRoutes(services.emailValidations),
    ...emailCheckRoutes(services.emailChecks),
    ...webhookEndpointRoutes(services.webhookEndpoints),
  ]);
  app.use(api);
  app.use(
    metaRoutes({
      db,
      mailer,
      sqliteDir: config.databaseUrl ? null : config.dataDir,
      queue: () => services.emailValidations.queueStats(),
      workers: () => services.emailValidations.workerLiveness(),
      senderRefusedAt: () => services.probeHealth.refusedSince(),
      metrics: services.metrics,
      metricsAccess: config.metrics,
      publicUrl: config.publicUrl,
    }),
  );
  app.use((req, _res, next) =>
    next(new ProblemError(404, "not_found", `There is no ${req.method} ${requestPath(req)} in this API.`)),
  );
  app.use(problemErrorHandler(logger));
  return app;
}
