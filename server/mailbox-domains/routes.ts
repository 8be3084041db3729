import { Router } from "express";
import { pageLinks, pageRequest } from "../http/pagination.js";
import { route } from "../http/typed-route.js";
import type { MailboxDomainService } from "./service.js";

export function mailboxDomainRoutes(service: MailboxDomainService): Router {
  // Mounted at /v1/mailbox-domains.
  const router = Router();

  router.get(
    "/",
    route("listMailboxDomains", async ({ accountId, query, path }) => {
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
    route("createMailboxDomain", async ({ accountId, body }) => {
      const domain = await service.create(accountId, body.domain);
      return { status: 201, body: domain, headers: { Location: `/v1/mailbox-domains/${domain.id}` } };
    }),
  );

  router.get(
    "/:domain_id",
    route("getMailboxDomain", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.domain_id),
    })),
  );

  router.post(
    "/:domain_id/verify",
    route("verifyMailboxDomain", async ({ accountId, params }) => ({
      status: 200,
      body: await service.verify(accountId, params.domain_id),
    })),
  );

  router.delete(
    "/:domain_id",
    route("deleteMailboxDomain", async ({ accountId, params }) => {
      await service.delete(accountId, params.domain_id);
      return { status: 204, body: undefined };
    }),
  );

  return router;
}
