import { pageLinks, pageRequest } from "../http/pagination.js";
import { type OperationRoute, route } from "../http/typed-route.js";
import type { DestinationService } from "./service.js";

export function destinationRoutes(service: DestinationService): OperationRoute[] {
  return [
    route("listDestinations", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const filter = { status: query.status, email: query.email };
      const result = await service.list(accountId, filter, page);
      return { status: 200, body: { data: result.items, links: pageLinks(path, filter, page, result) } };
    }),
    route("createDestination", async ({ accountId, body }) => {
      const destination = await service.create(accountId, body.email);
      return { status: 201, body: destination, headers: { Location: `/v1/destinations/${destination.id}` } };
    }),
    route("getDestination", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.destination_id),
    })),
    route("resendDestination", async ({ accountId, params }) => ({
      status: 200,
      body: await service.resend(accountId, params.destination_id),
    })),
    route("deleteDestination", async ({ accountId, params }) => {
      await service.delete(accountId, params.destination_id);
      return { status: 204, body: undefined };
    }),
  ];
}
