import { pageLinks, pageRequest } from "../http/pagination.js";
import { type OperationRoute, route } from "../http/typed-route.js";
import type { MailboxDomainService } from "./service.js";

export function mailboxDomainRoutes(service: MailboxDomainService): OperationRoute[] {
  return [
    route("listMailboxDomains", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const result = await service.list(accountId, query.status, page);
      return {
        status: 200,
        body: { data: result.items, links: pageLinks(path, { status: query.status }, page, result) },
      };
    }),
    route("createMailboxDomain", async ({ accountId, body }) => {
      const domain = await service.create(accountId, body.domain);
      return { status: 201, body: domain, headers: { Location: `/v1/mailbox-domains/${domain.id}` } };
    }),
    route("getMailboxDomain", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.domain_id),
    })),
    route("verifyMailboxDomain", async ({ accountId, params }) => ({
      status: 200,
      body: await service.verify(accountId, params.domain_id),
    })),
    route("deleteMailboxDomain", async ({ accountId, params }) => {
      await service.delete(accountId, params.domain_id);
      return { status: 204, body: undefined };
    }),
  ];
}
