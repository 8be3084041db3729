import type { CaseContext, ContractCase } from "../harness.js";
import { unknownId } from "../harness.js";
import { authAndFailureCases, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

// Hosts under acme-logistics.com do not resolve here: the server accepts them (a name that does
// not resolve yet is not refused; its deliveries fail and are retried).
const url = (ctx: CaseContext) => `https://hooks-${ctx.unique()}.acme-logistics.com/mailproof`;
const create = async (ctx: CaseContext) =>
  (await ctx.prepare({ method: "POST", path: "/v1/webhook-endpoints", json: { url: url(ctx) } })) as { id: string };
const path = (id: string) => `/v1/webhook-endpoints/${id}`;

export const webhookEndpointCases: ContractCase[] = [
  {
    operationId: "listWebhookEndpoints",
    status: 200,
    name: "a page",
    request: () => ({ method: "GET", path: "/v1/webhook-endpoints?page[size]=5" }),
  },
  {
    operationId: "listWebhookEndpoints",
    status: 400,
    name: "a page size over 100",
    request: () => ({ method: "GET", path: "/v1/webhook-endpoints?page[size]=500" }),
  },
  ...authAndFailureCases("listWebhookEndpoints", () => ({ method: "GET", path: "/v1/webhook-endpoints" })),

  {
    operationId: "createWebhookEndpoint",
    status: 201,
    name: "an endpoint for two events",
    request: (ctx) => ({
      method: "POST",
      path: "/v1/webhook-endpoints",
      json: { url: url(ctx), events: ["email_validation.completed", "destination.verified"] },
    }),
  },
  {
    operationId: "createWebhookEndpoint",
    status: 400,
    name: "a malformed Idempotency-Key",
    request: (ctx) => {
      const json = { url: url(ctx) };
      return malformedParameter(
        { method: "POST", path: "/v1/webhook-endpoints", json, headers: TOO_LONG_KEY },
        { method: "POST", path: "/v1/webhook-endpoints", json },
      )(ctx);
    },
  },
  {
    operationId: "createWebhookEndpoint",
    status: 413,
    name: "a body over the limit",
    request: (ctx) => ({ method: "POST", path: "/v1/webhook-endpoints", ...oversized({ url: url(ctx) }) }),
  },
  {
    operationId: "createWebhookEndpoint",
    status: 415,
    name: "a text/plain body",
    request: () => ({
      method: "POST",
      path: "/v1/webhook-endpoints",
      raw: "https://hooks.acme-logistics.com/",
      contentType: "text/plain",
    }),
  },
  {
    operationId: "createWebhookEndpoint",
    status: 422,
    name: "a URL on a private network",
    request: () => ({ method: "POST", path: "/v1/webhook-endpoints", json: { url: "https://10.0.4.17/hooks" } }),
  },
  ...authAndFailureCases("createWebhookEndpoint", (ctx) => ({
    method: "POST",
    path: "/v1/webhook-endpoints",
    json: { url: url(ctx) },
  })),

  {
    operationId: "getWebhookEndpoint",
    status: 200,
    name: "an endpoint just created",
    request: async (ctx) => ({ method: "GET", path: path((await create(ctx)).id) }),
  },
  {
    operationId: "getWebhookEndpoint",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "GET", path: path("hooks") }),
  },
  {
    operationId: "getWebhookEndpoint",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: path(unknownId()) }),
  },
  ...authAndFailureCases("getWebhookEndpoint", () => ({ method: "GET", path: path(unknownId()) })),

  {
    operationId: "updateWebhookEndpoint",
    status: 200,
    name: "fewer events",
    request: async (ctx) => ({
      method: "PATCH",
      path: path((await create(ctx)).id),
      json: { events: ["mailbox_domain.verified"] },
    }),
  },
  {
    operationId: "updateWebhookEndpoint",
    status: 400,
    name: "a malformed id",
    request: malformedParameter(
      { method: "PATCH", path: path("x"), json: { enabled: true } },
      { method: "PATCH", path: path(unknownId()), json: { enabled: true } },
    ),
  },
  {
    operationId: "updateWebhookEndpoint",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "PATCH", path: path(unknownId()), json: { enabled: true } }),
  },
  {
    operationId: "updateWebhookEndpoint",
    status: 413,
    name: "a body over the limit",
    request: () => ({ method: "PATCH", path: path(unknownId()), ...oversized({ enabled: true }) }),
  },
  {
    operationId: "updateWebhookEndpoint",
    status: 415,
    name: "a text/plain body",
    request: () => ({ method: "PATCH", path: path(unknownId()), raw: "enabled", contentType: "text/plain" }),
  },
  {
    operationId: "updateWebhookEndpoint",
    status: 422,
    name: "a plain http:// URL",
    request: async (ctx) => ({
      method: "PATCH",
      path: path((await create(ctx)).id),
      json: { url: "http://hooks.acme-logistics.com/mailproof" },
    }),
  },
  ...authAndFailureCases("updateWebhookEndpoint", () => ({
    method: "PATCH",
    path: path(unknownId()),
    json: { enabled: true },
  })),

  {
    operationId: "deleteWebhookEndpoint",
    status: 204,
    name: "an endpoint",
    request: async (ctx) => ({ method: "DELETE", path: path((await create(ctx)).id) }),
  },
  {
    operationId: "deleteWebhookEndpoint",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "DELETE", path: path("0") }),
  },
  {
    operationId: "deleteWebhookEndpoint",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "DELETE", path: path(unknownId()) }),
  },
  ...authAndFailureCases("deleteWebhookEndpoint", () => ({ method: "DELETE", path: path(unknownId()) })),

  {
    operationId: "rotateWebhookEndpointSecret",
    status: 200,
    name: "a new secret",
    request: async (ctx) => ({ method: "POST", path: `${path((await create(ctx)).id)}/rotate-secret` }),
  },
  {
    operationId: "rotateWebhookEndpointSecret",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "POST", path: `${path("x")}/rotate-secret` }),
  },
  {
    operationId: "rotateWebhookEndpointSecret",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "POST", path: `${path(unknownId())}/rotate-secret` }),
  },
  ...authAndFailureCases("rotateWebhookEndpointSecret", () => ({
    method: "POST",
    path: `${path(unknownId())}/rotate-secret`,
  })),

  {
    operationId: "pingWebhookEndpoint",
    status: 202,
    name: "a ping queued",
    request: async (ctx) => ({ method: "POST", path: `${path((await create(ctx)).id)}/ping` }),
  },
  {
    operationId: "pingWebhookEndpoint",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "POST", path: `${path("x")}/ping` }),
  },
  {
    operationId: "pingWebhookEndpoint",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "POST", path: `${path(unknownId())}/ping` }),
  },
  {
    operationId: "pingWebhookEndpoint",
    status: 409,
    name: "a disabled endpoint",
    request: async (ctx) => {
      const { id } = await create(ctx);
      await ctx.prepare({ method: "PATCH", path: path(id), json: { enabled: false } });
      return { method: "POST", path: `${path(id)}/ping` };
    },
  },
  ...authAndFailureCases("pingWebhookEndpoint", () => ({ method: "POST", path: `${path(unknownId())}/ping` })),

  {
    operationId: "listWebhookDeliveries",
    status: 200,
    name: "a ping's delivery",
    request: async (ctx) => {
      const { id } = await create(ctx);
      await ctx.prepare({ method: "POST", path: `${path(id)}/ping` });
      return { method: "GET", path: `${path(id)}/deliveries?status=pending` };
    },
  },
  {
    operationId: "listWebhookDeliveries",
    status: 400,
    name: "an unknown status",
    request: async (ctx) => ({ method: "GET", path: `${path((await create(ctx)).id)}/deliveries?status=lost` }),
  },
  {
    operationId: "listWebhookDeliveries",
    status: 404,
    name: "an unknown endpoint",
    request: () => ({ method: "GET", path: `${path(unknownId())}/deliveries` }),
  },
  {
    operationId: "getWebhookDelivery",
    status: 200,
    name: "a ping's delivery, where the ping's Location points",
    request: async (ctx) => {
      const { id } = await create(ctx);
      const delivery = (await ctx.prepare({ method: "POST", path: `${path(id)}/ping` })) as { id: string };
      return { method: "GET", path: `${path(id)}/deliveries/${delivery.id}` };
    },
  },
  {
    operationId: "getWebhookDelivery",
    status: 400,
    name: "a malformed delivery id",
    request: () => ({ method: "GET", path: `${path(unknownId())}/deliveries/first` }),
  },
  {
    operationId: "getWebhookDelivery",
    status: 404,
    name: "another endpoint's delivery",
    request: async (ctx) => {
      const { id } = await create(ctx);
      const delivery = (await ctx.prepare({ method: "POST", path: `${path(id)}/ping` })) as { id: string };
      const other = await create(ctx);
      return { method: "GET", path: `${path(other.id)}/deliveries/${delivery.id}` };
    },
  },
  ...authAndFailureCases("getWebhookDelivery", () => ({
    method: "GET",
    path: `${path(unknownId())}/deliveries/${unknownId()}`,
  })),
  ...authAndFailureCases("listWebhookDeliveries", () => ({ method: "GET", path: `${path(unknownId())}/deliveries` })),
];
