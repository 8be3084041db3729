import type { CaseContext, ContractCase } from "../harness.js";
import { unknownId } from "../harness.js";
import { authAndFailureCases, confirmedBy, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

/** A fresh mailbox domain of the account, and an identity body on it. */
async function domainWithIdentity(ctx: CaseContext) {
  const domain = `acme-${ctx.unique()}.com`;
  const created = await ctx.prepare({ method: "POST", path: "/v1/mailbox-domains", json: { domain } });
  const domainId = created.id as string;
  // The mock answers with its example domain; the identity's email must match what it returned.
  const name = created.domain as string;
  return {
    domainId,
    body: (local = "billing") => ({
      domain_id: domainId,
      name: "Acme Logistics Billing",
      email: `${local}@${name}`,
      add_note: true,
      personal_note: "Please confirm.",
    }),
  };
}

async function identity(ctx: CaseContext, local = "billing") {
  const { body } = await domainWithIdentity(ctx);
  return (await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: body(local) })).id as string;
}

const path = (id: string) => `/v1/sender-identities/${id}`;

/** On the server: an identity for `json` that used up its address's 24-hour cap, then deleted. */
async function cappedAndDeleted(ctx: CaseContext, json: object): Promise<void> {
  if (ctx.target.kind !== "server") return;
  const { id } = (await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json })) as { id: string };
  for (let i = 0; i < 4; i++) await ctx.prepare({ method: "POST", path: `${path(id)}/resend` });
  await ctx.prepare({ method: "DELETE", path: path(id) });
}

export const senderIdentityCases: ContractCase[] = [
  {
    operationId: "listSenderIdentities",
    status: 200,
    name: "filtered by domain",
    request: async (ctx) => ({
      method: "GET",
      path: `/v1/sender-identities?domain_id=${(await domainWithIdentity(ctx)).domainId}`,
    }),
  },
  {
    operationId: "listSenderIdentities",
    status: 400,
    name: "a malformed domain_id",
    request: () => ({ method: "GET", path: "/v1/sender-identities?domain_id=acme" }),
  },
  {
    operationId: "listSenderIdentities",
    status: 200,
    name: "found by its From address",
    request: () => ({ method: "GET", path: "/v1/sender-identities?email=billing%40acme-logistics.com" }),
  },
  ...authAndFailureCases("listSenderIdentities", () => ({ method: "GET", path: "/v1/sender-identities" })),

  {
    operationId: "createSenderIdentity",
    status: 201,
    name: "an address on an own domain",
    request: async (ctx) => ({
      method: "POST",
      path: "/v1/sender-identities",
      json: (await domainWithIdentity(ctx)).body(),
    }),
  },
  {
    operationId: "createSenderIdentity",
    status: 400,
    name: "a malformed Idempotency-Key",
    request: async (ctx) => {
      const json = (await domainWithIdentity(ctx)).body();
      return malformedParameter(
        { method: "POST", path: "/v1/sender-identities", json, headers: TOO_LONG_KEY },
        { method: "POST", path: "/v1/sender-identities", json },
      )(ctx);
    },
  },
  {
    operationId: "createSenderIdentity",
    status: 409,
    name: "an address the account already has",
    request: async (ctx) => {
      const { body } = await domainWithIdentity(ctx);
      await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: body() });
      return { method: "POST", path: "/v1/sender-identities", json: body() };
    },
  },
  {
    operationId: "createSenderIdentity",
    status: 413,
    name: "a body over the limit",
    request: async (ctx) => ({
      method: "POST",
      path: "/v1/sender-identities",
      ...oversized((await domainWithIdentity(ctx)).body()),
    }),
  },
  {
    operationId: "createSenderIdentity",
    status: 415,
    name: "a text/plain body",
    request: () => ({
      method: "POST",
      path: "/v1/sender-identities",
      raw: "billing@acme-logistics.com",
      contentType: "text/plain",
    }),
  },
  {
    operationId: "createSenderIdentity",
    status: 422,
    name: "an email on another domain",
    request: async (ctx) => ({
      method: "POST",
      path: "/v1/sender-identities",
      json: { ...(await domainWithIdentity(ctx)).body(), email: "billing@somewhere-else.org" },
    }),
  },
  ...authAndFailureCases("createSenderIdentity", async (ctx) => ({
    method: "POST",
    path: "/v1/sender-identities",
    json: (await domainWithIdentity(ctx)).body(),
  })),

  {
    operationId: "getSenderIdentity",
    status: 200,
    name: "an identity just created",
    request: async (ctx) => ({ method: "GET", path: path(await identity(ctx)) }),
  },
  {
    operationId: "getSenderIdentity",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "GET", path: path("billing") }),
  },
  {
    operationId: "getSenderIdentity",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: path(unknownId()) }),
  },
  ...authAndFailureCases("getSenderIdentity", () => ({ method: "GET", path: path(unknownId()) })),

  {
    operationId: "createSenderIdentity",
    status: 429,
    example: "resend_cap_reached",
    name: "an address deleted and re-created past its 24-hour cap",
    request: async (ctx) => {
      const json = (await domainWithIdentity(ctx)).body();
      await cappedAndDeleted(ctx, json);
      return { method: "POST", path: "/v1/sender-identities", json };
    },
  },

  {
    // Changing the address sends a mail, within the same caps (it once skipped them: a relay).
    operationId: "updateSenderIdentity",
    status: 429,
    example: "resend_cap_reached",
    name: "an email change to an address past its 24-hour cap",
    request: async (ctx) => {
      const { body } = await domainWithIdentity(ctx);
      const capped = body("billing");
      await cappedAndDeleted(ctx, capped);
      const other = await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: body("invoices") });
      return { method: "PUT", path: path(other.id as string), json: { email: capped.email } };
    },
  },
  {
    operationId: "updateSenderIdentity",
    status: 200,
    name: "a new display name",
    request: async (ctx) => ({
      method: "PUT",
      path: path(await identity(ctx)),
      json: { name: "Acme Logistics Invoices", add_note: false },
    }),
  },
  {
    operationId: "updateSenderIdentity",
    status: 400,
    name: "a malformed id",
    request: malformedParameter(
      { method: "PUT", path: path("1"), json: { name: "Acme" } },
      { method: "PUT", path: path(unknownId()), json: { name: "Acme" } },
    ),
  },
  {
    operationId: "updateSenderIdentity",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "PUT", path: path(unknownId()), json: { name: "Acme" } }),
  },
  {
    operationId: "updateSenderIdentity",
    status: 409,
    name: "an email another identity has",
    request: async (ctx) => {
      const { body } = await domainWithIdentity(ctx);
      const first = body("billing");
      await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: first });
      const second = await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json: body("invoices") });
      return { method: "PUT", path: path(second.id as string), json: { email: first.email } };
    },
  },
  {
    operationId: "updateSenderIdentity",
    status: 413,
    name: "a body over the limit",
    request: async (ctx) => ({ method: "PUT", path: path(await identity(ctx)), ...oversized({ name: "Acme" }) }),
  },
  {
    operationId: "updateSenderIdentity",
    status: 415,
    name: "a text/plain body",
    request: async (ctx) => ({
      method: "PUT",
      path: path(await identity(ctx)),
      raw: "Acme",
      contentType: "text/plain",
    }),
  },
  {
    operationId: "updateSenderIdentity",
    status: 422,
    name: "a name over 191 characters",
    request: async (ctx) => ({ method: "PUT", path: path(await identity(ctx)), json: { name: "A".repeat(192) } }),
  },
  ...authAndFailureCases("updateSenderIdentity", () => ({
    method: "PUT",
    path: path(unknownId()),
    json: { name: "Acme" },
  })),

  {
    operationId: "deleteSenderIdentity",
    status: 204,
    name: "an identity just created",
    request: async (ctx) => ({ method: "DELETE", path: path(await identity(ctx)) }),
  },
  {
    operationId: "deleteSenderIdentity",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "DELETE", path: path("nope") }),
  },
  {
    operationId: "deleteSenderIdentity",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "DELETE", path: path(unknownId()) }),
  },
  ...authAndFailureCases("deleteSenderIdentity", () => ({ method: "DELETE", path: path(unknownId()) })),

  {
    operationId: "resendSenderIdentity",
    status: 200,
    name: "an unverified identity",
    request: async (ctx) => ({ method: "POST", path: `${path(await identity(ctx))}/resend` }),
  },
  {
    operationId: "resendSenderIdentity",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "POST", path: `${path("x")}/resend` }),
  },
  {
    operationId: "resendSenderIdentity",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "POST", path: `${path(unknownId())}/resend` }),
  },
  {
    operationId: "resendSenderIdentity",
    status: 429,
    example: "resend_cap_reached",
    name: "past the 24-hour cap",
    request: async (ctx) => {
      const id = await identity(ctx);
      if (ctx.target.kind === "server")
        for (let i = 0; i < 4; i++) await ctx.prepare({ method: "POST", path: `${path(id)}/resend` });
      return { method: "POST", path: `${path(id)}/resend` };
    },
  },
  {
    operationId: "resendSenderIdentity",
    status: 409,
    name: "an already verified identity",
    request: async (ctx) => {
      const { body } = await domainWithIdentity(ctx);
      const json = body(`owner-${ctx.unique()}`);
      const { id } = (await ctx.prepare({ method: "POST", path: "/v1/sender-identities", json })) as { id: string };
      await confirmedBy(ctx, json.email);
      return { method: "POST", path: `${path(id)}/resend` };
    },
  },
  ...authAndFailureCases("resendSenderIdentity", () => ({ method: "POST", path: `${path(unknownId())}/resend` })),
];
