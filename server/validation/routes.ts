import { Router } from "express";
import { pageLinks, pageRequest } from "../http/pagination.js";
import { route } from "../http/typed-route.js";
import type { EmailCheckService } from "./checks.js";
import { POLL_SECONDS, type ValidationService } from "./service.js";

/** Mounted at /v1/email-checks. */
export function emailCheckRoutes(checks: EmailCheckService): Router {
  const router = Router();
  router.post(
    "/",
    route("createEmailCheck", async ({ body }) => ({ status: 200, body: await checks.check(body.email) })),
  );
  return router;
}

/** Mounted at /v1/email-validations. */
export function emailValidationRoutes(service: ValidationService): Router {
  const router = Router();
  const poll = { "Retry-After": String(POLL_SECONDS) };

  router.get(
    "/",
    route("listEmailValidations", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const result = await service.list(accountId, query.status, page);
      return {
        status: 200,
        body: { data: result.items, links: pageLinks(path, { status: query.status }, page, result) },
      };
    }),
  );

  router.post(
    "/",
    route("createEmailValidation", async ({ accountId, body }) => {
      const job = await service.create(accountId, body.emails);
      return { status: 202, body: job, headers: { Location: `/v1/email-validations/${job.id}`, ...poll } };
    }),
  );

  router.get(
    "/:validation_id",
    route("getEmailValidation", async ({ accountId, params, query, path }) => {
      const job = await service.get(accountId, params.validation_id, path, resultsPage(query.page));
      return { status: 200, body: job, headers: service.isTerminal(job) ? {} : poll };
    }),
  );

  router.patch(
    "/:validation_id",
    route("cancelEmailValidation", async ({ accountId, params, query, path }) => ({
      status: 200,
      body: await service.cancel(accountId, params.validation_id, path, resultsPage(query.page)),
    })),
  );

  return router;
}

/** The page of results asked for: `page[size]` (100 unless given) after `page[after]`. */
const resultsPage = (page: { size?: number; after?: string } | undefined) => ({
  size: page?.size ?? 100,
  after: page?.after ?? null,
});
