import { inject } from "vitest";
import { publish } from "../../support/dns-server.js";
import type { CaseContext, ContractCase } from "../harness.js";
import { unknownId } from "../harness.js";
import { authAndFailureCases, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

const emails = (ctx: CaseContext) => [`marta.novak+${ctx.unique()}@acme-logistics.com`, "not-an-address"];
const start = async (ctx: CaseContext) =>
  (await ctx.prepare({ method: "POST", path: "/v1/email-validations", json: { emails: emails(ctx) } })).id as string;
const path = (id: string) => `/v1/email-validations/${id}`;
const CSV = { accept: "text/csv, application/problem+json" };

export const emailValidationCases: ContractCase[] = [
  {
    operationId: "listEmailValidations",
    status: 200,
    name: "a page of jobs",
    request: () => ({ method: "GET", path: "/v1/email-validations?page[size]=20" }),
  },
  {
    operationId: "listEmailValidations",
    status: 400,
    name: "page[size] over 100",
    request: () => ({ method: "GET", path: "/v1/email-validations?page[size]=101" }),
  },
  ...authAndFailureCases("listEmailValidations", () => ({ method: "GET", path: "/v1/email-validations" })),

  {
    operationId: "createEmailValidation",
    status: 202,
    name: "a batch with a malformed entry",
    request: (ctx) => ({ method: "POST", path: "/v1/email-validations", json: { emails: emails(ctx) } }),
  },
  {
    operationId: "createEmailValidation",
    status: 400,
    name: "a malformed Idempotency-Key",
    request: (ctx) => {
      const json = { emails: emails(ctx) };
      return malformedParameter(
        { method: "POST", path: "/v1/email-validations", json, headers: TOO_LONG_KEY },
        { method: "POST", path: "/v1/email-validations", json },
      )(ctx);
    },
  },
  // The bulk endpoint's limit is sized for 100,000 addresses; the server under test sets it low.
  {
    operationId: "createEmailValidation",
    status: 413,
    name: "a body over the limit",
    request: (ctx) => ({ method: "POST", path: "/v1/email-validations", ...oversized({ emails: emails(ctx) }) }),
  },
  {
    operationId: "createEmailValidation",
    status: 415,
    name: "a text/plain body",
    request: () => ({ method: "POST", path: "/v1/email-validations", raw: "a@b.co", contentType: "text/plain" }),
  },
  {
    operationId: "createEmailValidation",
    status: 422,
    name: "an empty list",
    request: () => ({ method: "POST", path: "/v1/email-validations", json: { emails: [] } }),
  },
  ...authAndFailureCases("createEmailValidation", (ctx) => ({
    method: "POST",
    path: "/v1/email-validations",
    json: { emails: emails(ctx) },
  })),

  {
    operationId: "getEmailValidation",
    status: 200,
    name: "a job just started",
    request: async (ctx) => ({ method: "GET", path: `${path(await start(ctx))}?page[size]=50` }),
  },
  {
    operationId: "getEmailValidation",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "GET", path: path("job-1") }),
  },
  {
    operationId: "getEmailValidation",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: path(unknownId()) }),
  },
  ...authAndFailureCases("getEmailValidation", () => ({ method: "GET", path: path(unknownId()) })),

  {
    operationId: "createEmailValidation",
    status: 202,
    name: "a CSV file with an email column",
    request: (ctx) => ({
      method: "POST",
      path: "/v1/email-validations",
      raw: `name,email\r\nMarta,${emails(ctx)[0]}\r\nX,not-an-address\r\n`,
      contentType: "text/csv",
    }),
  },
  {
    operationId: "createEmailValidation",
    status: 422,
    name: "a CSV file with a header row only",
    request: () => ({ method: "POST", path: "/v1/email-validations", raw: "email\r\n", contentType: "text/csv" }),
    targets: ["server"], // Prism takes any string as the text/csv body: the rows are the server's rule
  },

  // The results as a CSV download (Accept: text/csv; problems stay problem+json).
  {
    operationId: "downloadEmailValidationResults",
    status: 200,
    name: "a job's results as CSV",
    request: async (ctx) => ({ method: "GET", path: `${path(await start(ctx))}/results`, headers: CSV }),
  },
  {
    operationId: "downloadEmailValidationResults",
    status: 200,
    name: "only the undeliverable ones",
    request: async (ctx) => ({
      method: "GET",
      path: `${path(await start(ctx))}/results?result=undeliverable,risky`,
      headers: CSV,
    }),
  },
  {
    operationId: "downloadEmailValidationResults",
    status: 400,
    name: "a result that does not exist",
    request: malformedParameter(
      { method: "GET", path: `${path(unknownId())}/results?result=maybe`, headers: CSV },
      { method: "GET", path: `${path(unknownId())}/results?result=risky`, headers: CSV },
    ),
  },
  {
    operationId: "downloadEmailValidationResults",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: `${path(unknownId())}/results`, headers: CSV }),
  },
  ...authAndFailureCases("downloadEmailValidationResults", () => ({
    method: "GET",
    path: `${path(unknownId())}/results`,
    headers: CSV,
  })),

  {
    operationId: "cancelEmailValidation",
    status: 200,
    name: "a running job",
    request: async (ctx) => {
      // On the server: addresses whose domain's DNS answers slowly, so the job is still running.
      if (ctx.target.kind === "server") publish(inject("server").dnsZoneDir, "slow-dns.test", { delayMs: 5000 });
      const slow = Array.from({ length: 150 }, (_, i) => `user${i}-${ctx.unique()}@slow-dns.test`);
      const { id } = (await ctx.prepare({ method: "POST", path: "/v1/email-validations", json: { emails: slow } })) as {
        id: string;
      };
      return { method: "PATCH", path: path(id), json: { status: "canceled" } };
    },
  },
  {
    operationId: "cancelEmailValidation",
    status: 400,
    name: "a malformed id",
    request: malformedParameter(
      { method: "PATCH", path: path("1"), json: { status: "canceled" } },
      { method: "PATCH", path: path(unknownId()), json: { status: "canceled" } },
    ),
  },
  {
    operationId: "cancelEmailValidation",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "PATCH", path: path(unknownId()), json: { status: "canceled" } }),
  },
  {
    operationId: "cancelEmailValidation",
    status: 409,
    name: "a finished job",
    request: async (ctx) => {
      const id = await start(ctx);
      if (ctx.target.kind === "server") {
        for (let i = 0; i < 100; i++) {
          const job = await ctx.prepare({ method: "GET", path: path(id) });
          if (job.status === "completed") break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return { method: "PATCH", path: path(id), json: { status: "canceled" } };
    },
  },
  {
    operationId: "cancelEmailValidation",
    status: 413,
    name: "a body over the limit",
    request: () => ({ method: "PATCH", path: path(unknownId()), ...oversized({ status: "canceled" }) }),
  },
  {
    operationId: "cancelEmailValidation",
    status: 415,
    name: "a text/plain body",
    request: () => ({ method: "PATCH", path: path(unknownId()), raw: "canceled", contentType: "text/plain" }),
  },
  {
    operationId: "cancelEmailValidation",
    status: 422,
    name: "a status other than canceled",
    request: () => ({ method: "PATCH", path: path(unknownId()), json: { status: "completed" } }),
  },
  ...authAndFailureCases("cancelEmailValidation", () => ({
    method: "PATCH",
    path: path(unknownId()),
    json: { status: "canceled" },
  })),

  {
    operationId: "deleteEmailValidation",
    status: 204,
    name: "a job, finished or not",
    request: async (ctx) => ({ method: "DELETE", path: path(await start(ctx)) }),
  },
  {
    operationId: "deleteEmailValidation",
    status: 400,
    name: "a malformed id",
    request: malformedParameter({ method: "DELETE", path: path("1") }, { method: "DELETE", path: path(unknownId()) }),
  },
  {
    operationId: "deleteEmailValidation",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "DELETE", path: path(unknownId()) }),
  },
  ...authAndFailureCases("deleteEmailValidation", () => ({ method: "DELETE", path: path(unknownId()) })),

  {
    operationId: "createEmailCheck",
    status: 200,
    name: "one address",
    request: () => ({ method: "POST", path: "/v1/email-checks", json: { email: "marta.novak@acme-logistics.com" } }),
  },
  {
    operationId: "createEmailCheck",
    status: 400,
    name: "a body that is not JSON",
    // Prism answers malformed JSON with its own non-problem body, so it gets a valid one.
    request: malformedParameter(
      { method: "POST", path: "/v1/email-checks", raw: '{"email": "marta.novak@acme', contentType: "application/json" },
      { method: "POST", path: "/v1/email-checks", json: { email: "marta.novak@acme-logistics.com" } },
    ),
  },
  {
    operationId: "createEmailCheck",
    status: 413,
    name: "a body over the limit",
    request: () => ({ method: "POST", path: "/v1/email-checks", ...oversized({ email: "a@b.co" }) }),
  },
  {
    operationId: "createEmailCheck",
    status: 415,
    name: "a text/plain body",
    request: () => ({ method: "POST", path: "/v1/email-checks", raw: "a@b.co", contentType: "text/plain" }),
  },
  {
    operationId: "createEmailCheck",
    status: 422,
    name: "no email field",
    request: () => ({ method: "POST", path: "/v1/email-checks", json: { address: "a@b.co" } }),
  },
  ...authAndFailureCases("createEmailCheck", () => ({
    method: "POST",
    path: "/v1/email-checks",
    json: { email: "a@b.co" },
  })),
];
