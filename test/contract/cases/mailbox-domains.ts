import type { CaseContext, ContractCase } from "../harness.js";
import { unknownId } from "../harness.js";
import { authAndFailureCases, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

const domainName = (ctx: CaseContext) => `mail-${ctx.unique()}.acme-logistics.com`;
const create = async (ctx: CaseContext) =>
  (await ctx.prepare({ method: "POST", path: "/v1/mailbox-domains", json: { domain: domainName(ctx) } })) as { id: string; domain: string };
const path = (id: string) => `/v1/mailbox-domains/${id}`;

export const mailboxDomainCases: ContractCase[] = [
  { operationId: "listMailboxDomains", status: 200, name: "a filtered page", request: () => ({ method: "GET", path: "/v1/mailbox-domains?status=pending&page[size]=5" }) },
  { operationId: "listMailboxDomains", status: 400, name: "an unknown status", request: () => ({ method: "GET", path: "/v1/mailbox-domains?status=approved" }) },
  ...authAndFailureCases("listMailboxDomains", () => ({ method: "GET", path: "/v1/mailbox-domains" })),

  { operationId: "createMailboxDomain", status: 201, name: "a new domain", request: (ctx) => ({ method: "POST", path: "/v1/mailbox-domains", json: { domain: domainName(ctx) } }) },
  { operationId: "createMailboxDomain", status: 400, name: "a malformed Idempotency-Key", request: (ctx) => {
    const json = { domain: domainName(ctx) };
    return malformedParameter({ method: "POST", path: "/v1/mailbox-domains", json, headers: TOO_LONG_KEY }, { method: "POST", path: "/v1/mailbox-domains", json })(ctx);
  } },
  {
    operationId: "createMailboxDomain", status: 409, name: "a domain the account already has",
    request: async (ctx) => {
      const json = { domain: domainName(ctx) };
      await ctx.prepare({ method: "POST", path: "/v1/mailbox-domains", json });
      return { method: "POST", path: "/v1/mailbox-domains", json: { domain: json.domain.toUpperCase() } };
    },
  },
  { operationId: "createMailboxDomain", status: 413, name: "a body over the limit", request: (ctx) => ({ method: "POST", path: "/v1/mailbox-domains", ...oversized({ domain: domainName(ctx) }) }) },
  { operationId: "createMailboxDomain", status: 415, name: "a text/plain body", request: () => ({ method: "POST", path: "/v1/mailbox-domains", raw: "acme-logistics.com", contentType: "text/plain" }) },
  { operationId: "createMailboxDomain", status: 422, name: "a name that is not a hostname", request: () => ({ method: "POST", path: "/v1/mailbox-domains", json: { domain: "acme logistics!" } }) },
  ...authAndFailureCases("createMailboxDomain", (ctx) => ({ method: "POST", path: "/v1/mailbox-domains", json: { domain: domainName(ctx) } })),

  { operationId: "getMailboxDomain", status: 200, name: "a domain just created", request: async (ctx) => ({ method: "GET", path: path((await create(ctx)).id) }) },
  { operationId: "getMailboxDomain", status: 400, name: "a malformed id", request: () => ({ method: "GET", path: path("acme-logistics.com") }) },
  { operationId: "getMailboxDomain", status: 404, name: "an unknown id", request: () => ({ method: "GET", path: path(unknownId()) }) },
  ...authAndFailureCases("getMailboxDomain", () => ({ method: "GET", path: path(unknownId()) })),

  { operationId: "deleteMailboxDomain", status: 204, name: "an unused domain", request: async (ctx) => ({ method: "DELETE", path: path((await create(ctx)).id) }) },
  { operationId: "deleteMailboxDomain", status: 400, name: "a malformed id", request: () => ({ method: "DELETE", path: path("0") }) },
  { operationId: "deleteMailboxDomain", status: 404, name: "an unknown id", request: () => ({ method: "DELETE", path: path(unknownId()) }) },
  {
    operationId: "deleteMailboxDomain", status: 409, name: "a domain a sender identity uses",
    request: async (ctx) => {
      const domain = await create(ctx);
      await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: { domain_id: domain.id, name: "Billing", email: `billing@${domain.domain}` } });
      return { method: "DELETE", path: path(domain.id) };
    },
  },
  ...authAndFailureCases("deleteMailboxDomain", () => ({ method: "DELETE", path: path(unknownId()) })),

  { operationId: "verifyMailboxDomain", status: 200, name: "records looked up live", targets: ["mock"], request: async (ctx) => ({ method: "POST", path: `${path((await create(ctx)).id)}/verify` }) },
  { operationId: "verifyMailboxDomain", status: 400, name: "a malformed id", request: () => ({ method: "POST", path: `${path("x")}/verify` }) },
  { operationId: "verifyMailboxDomain", status: 404, name: "an unknown id", request: () => ({ method: "POST", path: `${path(unknownId())}/verify` }) },
  { operationId: "verifyMailboxDomain", status: 409, example: "verified_by_another_account", name: "a domain another account verified", targets: ["mock"], request: () => ({ method: "POST", path: `${path(unknownId())}/verify` }) },
  { operationId: "verifyMailboxDomain", status: 503, name: "a resolver that does not answer", targets: ["mock"], request: () => ({ method: "POST", path: `${path(unknownId())}/verify` }) },
  ...authAndFailureCases("verifyMailboxDomain", () => ({ method: "POST", path: `${path(unknownId())}/verify` })),
];
