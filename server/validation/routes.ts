import { Router } from "express";
import { route } from "../http/typed-route.js";
import type { EmailCheckService } from "./checks.js";

/** Mounted at /v1/email-checks. */
export function emailCheckRoutes(checks: EmailCheckService): Router {
  const router = Router();
  router.post("/", route("createEmailCheck", async ({ body }) => ({ status: 200, body: await checks.check(body.email) })));
  return router;
}
