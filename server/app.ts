import express, { type Express } from "express";
import { AccountService } from "./accounts/service.js";
import { AccountStore } from "./accounts/store.js";
import type { Config } from "./config.js";
import { confirmationRoutes } from "./confirm/routes.js";
import { ConfirmationService } from "./confirm/service.js";
import { ConfirmationStore } from "./confirm/store.js";
import type { Mailer } from "./mail/mailer.js";
import type { Db } from "./db/database.js";
import { bundledSpec } from "./generated-files.js";
import { destinationRoutes } from "./destinations/routes.js";
import { DestinationService } from "./destinations/service.js";
import { DestinationStore } from "./destinations/store.js";
import { problemErrorHandler } from "./http/errors.js";
import { idempotency } from "./http/idempotency.js";
import { ProblemError } from "./http/problem.js";
import { contractValidator } from "./http/validator.js";
import { mailboxDomainRoutes } from "./mailbox-domains/routes.js";
import { mailboxDomainService } from "./mailbox-domains/recheck.js";
import { senderIdentityRoutes } from "./sender-identities/routes.js";
import { SenderIdentityService } from "./sender-identities/service.js";
import { SenderIdentityStore } from "./sender-identities/store.js";
import { serviceRoutes } from "./service/routes.js";
import { EmailCheckService } from "./validation/checks.js";
import { emailCheckRoutes, emailValidationRoutes } from "./validation/routes.js";
import { ValidationService } from "./validation/service.js";
import { ValidationStore } from "./validation/store.js";
import type { Clock } from "./shared/clock.js";
import type { Logger } from "./shared/logger.js";

export interface AppDeps {
  db: Db;
  config: Config;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
}

const CREATING_POSTS = ["/v1/destinations", "/v1/sender-identities", "/v1/mailbox-domains", "/v1/email-validations"];

/** The whole HTTP application, from explicit dependencies (tests build it with real parts). */
export function buildApp({ db, config, mailer, clock, logger }: AppDeps): Express {
  const accounts = new AccountService(new AccountStore(db), clock);
  const confirmations = new ConfirmationService(new ConfirmationStore(db), mailer, clock, {
    publicUrl: config.publicUrl,
    minIntervalMs: config.resendMinIntervalSeconds * 1000,
    capPer24h: config.resendCapPer24h,
    tokenTtlMs: config.confirmTokenTtlHours * 3600 * 1000,
  }, (accountId) => accounts.nameOf(accountId));
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

  // The bulk endpoint gets its own, larger limit; the first parser that matches reads the body.
  // strict: false, so valid JSON of the wrong shape ("a string") is a 422 from the validator.
  app.use("/v1/email-validations", express.json({ limit: config.bulkBodyLimit, strict: false }));
  app.use(express.json({ limit: config.jsonBodyLimit, strict: false }));
  // The validator skips the public pages (its ignorePaths); they are served further down.
  app.use(contractValidator({ spec: bundledSpec, validateResponses: config.validateResponses, accounts }));
  app.post(CREATING_POSTS, idempotency(db, clock));
  // Busiest first: every layer a request passes is a path match.
  app.use("/v1/destinations", destinationRoutes(destinations));
  app.use("/v1/sender-identities", senderIdentityRoutes(identities));
  app.use("/v1/mailbox-domains", mailboxDomainRoutes(domains));
  app.use("/confirm", confirmationRoutes(confirmations, { secureCookie: config.publicUrl.startsWith("https:") }));
  app.use("/v1/email-validations", emailValidationRoutes(new ValidationService(new ValidationStore(db), clock)));
  app.use("/v1/email-checks", emailCheckRoutes(new EmailCheckService(config)));
  app.use(serviceRoutes(db, mailer));
  app.use((req, _res, next) => next(new ProblemError(404, "not_found", `There is no ${req.method} ${req.path} in this API.`)));
  app.use(problemErrorHandler(logger));
  return app;
}
