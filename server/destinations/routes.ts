import { Router } from "express";
import { pageLinks, pageRequest } from "../http/pagination.js";
import { route } from "../http/typed-route.js";
import type { DestinationService } from "./service.js";

export function destinationRoutes(service: DestinationService): Router {
  // Mounted at /v1/destinations.
  const router = Router();

  router.get(
    "/",
    route("listDestinations", async ({ accountId, query, path }) => {
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
    route("createDestination", async ({ accountId, body }) => {
      const destination = await service.create(accountId, body.email);
      return { status: 201, body: destination, headers: { Location: `/v1/destinations/${destination.id}` } };
    }),
  );

  router.get(
    "/:destination_id",
    route("getDestination", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.destination_id),
    })),
  );

  router.post(
    "/:destination_id/resend",
    route("resendDestination", async ({ accountId, params }) => ({
      status: 200,
      body: await service.resend(accountId, params.destination_id),
    })),
  );

  router.delete(
    "/:destination_id",
    route("deleteDestination", async ({ accountId, params }) => {
      await service.delete(accountId, params.destination_id);
      return { status: 204, body: undefined };
    }),
  );

  return router;
}
