import { pageLinks, pageRequest } from "../http/pagination.js";
import { type OperationRoute, route } from "../http/typed-route.js";
import type { WebhookEndpointService } from "./service.js";

export function webhookEndpointRoutes(service: WebhookEndpointService): OperationRoute[] {
  return [
    route("listWebhookEndpoints", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const result = await service.list(accountId, page);
      return { status: 200, body: { data: result.items, links: pageLinks(path, {}, page, result) } };
    }),
    route("createWebhookEndpoint", async ({ accountId, body }) => {
      const endpoint = await service.create(accountId, body);
      return { status: 201, body: endpoint, headers: { Location: `/v1/webhook-endpoints/${endpoint.id}` } };
    }),
    route("getWebhookEndpoint", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.endpoint_id),
    })),
    route("updateWebhookEndpoint", async ({ accountId, params, body }) => ({
      status: 200,
      body: await service.update(accountId, params.endpoint_id, body),
    })),
    route("deleteWebhookEndpoint", async ({ accountId, params }) => {
      await service.delete(accountId, params.endpoint_id);
      return { status: 204, body: undefined };
    }),
    route("rotateWebhookEndpointSecret", async ({ accountId, params }) => ({
      status: 200,
      body: await service.rotateSecret(accountId, params.endpoint_id),
    })),
    route("pingWebhookEndpoint", async ({ accountId, params }) => {
      const delivery = await service.ping(accountId, params.endpoint_id);
      const location = `/v1/webhook-endpoints/${params.endpoint_id}/deliveries/${delivery.id}`;
      return { status: 202, body: delivery, headers: { Location: location, "Retry-After": "1" } };
    }),
    route("getWebhookDelivery", async ({ accountId, params }) => ({
      status: 200,
      body: await service.delivery(accountId, params.endpoint_id, params.delivery_id),
    })),
    route("listWebhookDeliveries", async ({ accountId, params, query, path }) => {
      const page = pageRequest(query);
      const result = await service.deliveries(accountId, params.endpoint_id, query.status, page);
      return {
        status: 200,
        body: { data: result.items, links: pageLinks(path, { status: query.status }, page, result) },
      };
    }),
  ];
}
