import { type OperationRoute, route } from "../http/typed-route.js";
import type { AccountService } from "./service.js";

export function accountRoutes(accounts: AccountService): OperationRoute[] {
  return [
    route("getAccount", async ({ accountId }) => ({ status: 200, body: await accounts.view(accountId) })),
    route("updateAccount", async ({ accountId, body }) => ({
      status: 200,
      body: await accounts.update(accountId, body),
    })),
  ];
}
