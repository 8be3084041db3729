import { type OperationRoute, route } from "../http/typed-route.js";
import type { EmailCheckService } from "./service.js";

export function emailCheckRoutes(checks: EmailCheckService): OperationRoute[] {
  return [route("createEmailCheck", async ({ body }) => ({ status: 200, body: await checks.check(body.email) }))];
}
