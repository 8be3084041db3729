import type { CaseContext, ContractCase } from "../harness.js";
import { unknownId } from "../harness.js";
import { authAndFailureCases, confirmedBy, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

const email = (ctx: CaseContext) => `ana.silva+${ctx.unique()}@acme-logistics.com`;
/** A destination its owner confirmed (on the mock, any id: it serves the 409 on request). */
async function confirmedDestination(ctx: CaseContext): Promise<string> {
  const address = email(ctx);
  const { id } = (await ctx.prepare({ method: "POST", path: "/v1/destinations", json: { email: address } })) as {
    id: string;
  };
  await confirmedBy(ctx, address);
  return id;
}

const create = async (ctx: CaseContext) =>
  (await ctx.prepare({ method: "POST", path: "/v1/destinations", json: { email: email(ctx) } })).id as string;

export const destinationCases: ContractCase[] = [
  {
    operationId: "listDestinations",
    status: 200,
    name: "a filtered page",
    request: () => ({ method: "GET", path: "/v1/destinations?status=pending&page[size]=10" }),
  },
  {
    operationId: "listDestinations",
    status: 400,
    name: "page[size]=0",
    request: () => ({ method: "GET", path: "/v1/destinations?page[size]=0" }),
  },
  {
    operationId: "listDestinations",
    status: 200,
    name: "found by its address",
    request: async (ctx) => {
      const address = email(ctx);
      await ctx.prepare({ method: "POST", path: "/v1/destinations", json: { email: address } });
      return { method: "GET", path: `/v1/destinations?email=${encodeURIComponent(address.toUpperCase())}` };
    },
  },
  {
    operationId: "listDestinations",
    status: 400,
    name: "an email filter over 254 characters",
    request: () => ({ method: "GET", path: `/v1/destinations?email=${"a".repeat(250)}%40x.de` }),
  },
  ...authAndFailureCases("listDestinations", () => ({ method: "GET", path: "/v1/destinations" })),

  {
    operationId: "createDestination",
    status: 201,
    name: "a new address",
    request: (ctx) => ({ method: "POST", path: "/v1/destinations", json: { email: email(ctx) } }),
  },
  {
    // idn-email (RFC 6531): neither the mock nor the server may take only ASCII domains.
    operationId: "createDestination",
    status: 201,
    name: "an address whose domain is in Unicode",
    request: (ctx) => ({ method: "POST", path: "/v1/destinations", json: { email: `ana+${ctx.unique()}@bücher.de` } }),
  },
  {
    operationId: "createDestination",
    status: 400,
    name: "a malformed Idempotency-Key",
    request: (ctx) =>
      malformedParameter(
        { method: "POST", path: "/v1/destinations", json: { email: email(ctx) }, headers: TOO_LONG_KEY },
        { method: "POST", path: "/v1/destinations", json: { email: email(ctx) } },
      )(ctx),
  },
  {
    operationId: "createDestination",
    status: 409,
    name: "an address the account already has",
    request: async (ctx) => {
      const json = { email: email(ctx) };
      await ctx.prepare({ method: "POST", path: "/v1/destinations", json });
      return { method: "POST", path: "/v1/destinations", json };
    },
  },
  {
    operationId: "createDestination",
    status: 413,
    name: "a body over the limit",
    request: (ctx) => ({ method: "POST", path: "/v1/destinations", ...oversized({ email: email(ctx) }) }),
  },
  {
    operationId: "createDestination",
    status: 415,
    name: "a text/plain body",
    request: () => ({
      method: "POST",
      path: "/v1/destinations",
      raw: "ana.silva@acme-logistics.com",
      contentType: "text/plain",
    }),
  },
  {
    operationId: "createDestination",
    status: 422,
    name: "an email that is not an address",
    request: () => ({ method: "POST", path: "/v1/destinations", json: { email: "ana.silva at acme" } }),
  },
  {
    // The caps count mails to the address, not to the resource: deleting and re-creating it does not reset them.
    operationId: "createDestination",
    status: 429,
    example: "resend_cap_reached",
    name: "an address deleted and re-created past its 24-hour cap",
    request: async (ctx) => {
      const json = { email: email(ctx) };
      if (ctx.target.kind === "server") {
        const { id } = (await ctx.prepare({ method: "POST", path: "/v1/destinations", json })) as { id: string };
        for (let i = 0; i < 4; i++) await ctx.prepare({ method: "POST", path: `/v1/destinations/${id}/resend` });
        await ctx.prepare({ method: "DELETE", path: `/v1/destinations/${id}` });
      }
      return { method: "POST", path: "/v1/destinations", json };
    },
  },
  ...authAndFailureCases("createDestination", (ctx) => ({
    method: "POST",
    path: "/v1/destinations",
    json: { email: email(ctx) },
  })),

  {
    operationId: "getDestination",
    status: 200,
    name: "a destination just created",
    request: async (ctx) => ({ method: "GET", path: `/v1/destinations/${await create(ctx)}` }),
  },
  {
    operationId: "getDestination",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "GET", path: "/v1/destinations/not-a-uuid" }),
  },
  {
    operationId: "getDestination",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: `/v1/destinations/${unknownId()}` }),
  },
  ...authAndFailureCases("getDestination", () => ({ method: "GET", path: `/v1/destinations/${unknownId()}` })),

  {
    operationId: "deleteDestination",
    status: 204,
    name: "a destination just created",
    request: async (ctx) => ({ method: "DELETE", path: `/v1/destinations/${await create(ctx)}` }),
  },
  {
    operationId: "deleteDestination",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "DELETE", path: "/v1/destinations/12345" }),
  },
  {
    operationId: "deleteDestination",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "DELETE", path: `/v1/destinations/${unknownId()}` }),
  },
  ...authAndFailureCases("deleteDestination", () => ({ method: "DELETE", path: `/v1/destinations/${unknownId()}` })),

  // The server under test runs with no minimum resend interval, so a resend right after
  // create is allowed; the cap (5 sends per 24 h) is then reached after four resends.
  {
    operationId: "resendDestination",
    status: 200,
    name: "a pending destination",
    request: async (ctx) => ({ method: "POST", path: `/v1/destinations/${await create(ctx)}/resend` }),
  },
  {
    operationId: "resendDestination",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "POST", path: "/v1/destinations/x/resend" }),
  },
  {
    operationId: "resendDestination",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "POST", path: `/v1/destinations/${unknownId()}/resend` }),
  },
  {
    operationId: "resendDestination",
    status: 429,
    example: "resend_cap_reached",
    name: "past the 24-hour cap",
    request: async (ctx) => {
      const id = await create(ctx);
      if (ctx.target.kind === "server")
        for (let i = 0; i < 4; i++) await ctx.prepare({ method: "POST", path: `/v1/destinations/${id}/resend` });
      return { method: "POST", path: `/v1/destinations/${id}/resend` };
    },
  },
  {
    operationId: "resendDestination",
    status: 409,
    name: "an already verified destination",
    request: async (ctx) => ({ method: "POST", path: `/v1/destinations/${await confirmedDestination(ctx)}/resend` }),
  },
  ...authAndFailureCases("resendDestination", () => ({
    method: "POST",
    path: `/v1/destinations/${unknownId()}/resend`,
  })),
];
