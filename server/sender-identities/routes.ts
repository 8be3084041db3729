import { pageLinks, pageRequest } from "../http/pagination.js";
import { type OperationRoute, route } from "../http/typed-route.js";
import type { SenderIdentityService } from "./service.js";

export function senderIdentityRoutes(service: SenderIdentityService): OperationRoute[] {
  return [
    route("listSenderIdentities", async ({ accountId, query, path }) => {
      const page = pageRequest(query);
      const filter = { domain_id: query.domain_id, email: query.email };
      const result = await service.list(accountId, filter, page);
      return { status: 200, body: { data: result.items, links: pageLinks(path, filter, page, result) } };
    }),
    route("createSenderIdentity", async ({ accountId, body }) => {
      const identity = await service.create(accountId, body);
      return { status: 201, body: identity, headers: { Location: `/v1/sender-identities/${identity.id}` } };
    }),
    route("getSenderIdentity", async ({ accountId, params }) => ({
      status: 200,
      body: await service.get(accountId, params.identity_id),
    })),
    route("updateSenderIdentity", async ({ accountId, params, body }) => ({
      status: 200,
      body: await service.update(accountId, params.identity_id, body),
    })),
    route("resendSenderIdentity", async ({ accountId, params }) => ({
      status: 200,
      body: await service.resend(accountId, params.identity_id),
    })),
    route("deleteSenderIdentity", async ({ accountId, params }) => {
      await service.delete(accountId, params.identity_id);
      return { status: 204, body: undefined };
    }),
  ];
}
