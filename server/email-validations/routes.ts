import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pageLinks, pageRequest, RESULTS_PAGE_SIZE } from "../http/pagination.js";
import { type OperationRoute, route, streamRoute } from "../http/typed-route.js";
import { csvRow, emailsOfCsv, resultsCsv } from "./csv.js";
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
      const job = await service.create(accountId, typeof body === "string" ? await emailsOfCsv(body) : body.emails);
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
    route("deleteEmailValidation", async ({ accountId, params }) => {
      await service.delete(accountId, params.validation_id);
      return { status: 204, body: undefined };
    }),
    streamRoute("downloadEmailValidationResults", async ({ accountId, params, query }, res) => {
      const results = await service.allResults(accountId, params.validation_id, query.result);
      res.status(200).set({
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="email-validation-${params.validation_id}.csv"`,
      });
      // Backpressure all the way: a page is read from the store only as the client takes the last.
      await pipeline(Readable.from(mapped(results, csvRow)), resultsCsv(), res).catch((error: unknown) => {
        // A client that hangs up part-way is not a fault of the server's.
        if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
      });
    }),
  ];
}

async function* mapped<T, U>(items: AsyncIterable<T>, f: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield f(item);
}

/** The page of results asked for: `page[size]` (100 unless given) after `page[after]`. */
const resultsPage = (page: { size?: number; after?: string } | undefined) => ({
  size: page?.size ?? RESULTS_PAGE_SIZE,
  after: page?.after ?? null,
});
