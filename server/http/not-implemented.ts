import { Router, type Request, type Response } from "express";

/**
 * Operations of the contract whose capability lands with a later issue. They answer 501
 * problem+json (sent as text, outside the response validator: 501 is deliberately not part of the
 * contract) and the contract test's coverage check lists them. Remove a line when its issue lands.
 */
export const NOT_IMPLEMENTED: { method: "get" | "post" | "patch"; path: string; operationId: string }[] = [
  { method: "get", path: "/v1/email-validations", operationId: "listEmailValidations" },
  { method: "post", path: "/v1/email-validations", operationId: "createEmailValidation" },
  { method: "get", path: "/v1/email-validations/:validation_id", operationId: "getEmailValidation" },
  { method: "patch", path: "/v1/email-validations/:validation_id", operationId: "cancelEmailValidation" },
];

export function notImplementedRoutes(): Router {
  const router = Router();
  for (const { method, path, operationId } of NOT_IMPLEMENTED) {
    router[method](path, (req: Request, res: Response) => {
      res.status(501).type("application/problem+json").send(JSON.stringify({
        type: "https://mailproof.dev/problems/not_implemented",
        title: "Not implemented",
        status: 501,
        detail: `${operationId} is part of the contract but not served by this build yet.`,
        code: "not_implemented",
        instance: req.path,
      }));
    });
  }
  return router;
}
