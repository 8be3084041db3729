import { pageLinks, pageRequest, RESULTS_PAGE_SIZE } from "../http/pagination.js";
import { type OperationRoute, route } from "../http/typed-route.js";
import { type EmailValidationService, POLL_SECONDS } from "./service.js";

export function emailValidationRoutes(service: EmailValidationService): OperationRoute[] {
  const poll = { "Retry-After": String(POLL_SECONDS) };
  return [
    route("listEmailValidations", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const result = await service.list(accountId, query.status, page);
      return {
        status: 200,
        body: { data: result.items, links: pageLinks(path, { status: query.status }, page, result) },
      };
    }),
    route("createEmailValidation", async ({ accountId, body }) => {
      const job = await service.create(accountId, body.emails);
      return { status: 202, body: job, headers: { Location: `/v1/email-validations/${job.id}`, ...poll } };
    }),
    route("getEmailValidation", async ({ accountId, params, query, path }) => {
      const job = await service.get(accountId, params.validation_id, path, resultsPage(query.page));
      return { status: 200, body: job, headers: service.isTerminal(job) ? {} : poll };
    }),
    route("cancelEmailValidation", async ({ accountId, params, query, path }) => ({
      status: 200,
      body: await service.cancel(accountId, params.validation_id, path, resultsPage(query.page)),
    })),
  ];
}

/** The page of results asked for: `page[size]` (100 unless given) after `page[after]`. */
const resultsPage = (page: { size?: number; after?: string } | undefined) => ({
  size: page?.size ?? RESULTS_PAGE_SIZE,
  after: page?.after ?? null,
});
