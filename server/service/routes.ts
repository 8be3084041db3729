import { readFileSync } from "node:fs";
import { Router, type Request } from "express";
import { storeAnswers, type Db } from "../db/database.js";
import { asyncHandler, ProblemError } from "../http/problem.js";

const generated = (file: string) => new URL(`../../generated/${file}`, import.meta.url);

/** /healthz, /openapi.json and /docs: public, served before the validator, read once at start. */
export function serviceRoutes(db: Db): Router {
  const openapi = readFileSync(generated("openapi.json"));
  const docs = readFileSync(generated("docs.html"));
  const router = Router();

  router.get("/healthz", asyncHandler(async (req, res) => {
    noParameters(req);
    const store = await storeAnswers(db);
    res.status(store ? 200 : 503).set("Cache-Control", "no-store").json({ status: store ? "ok" : "unavailable", checks: { store: store ? "ok" : "error", mail: "ok" } });
  }));
  router.get("/openapi.json", (req, res) => {
    noParameters(req);
    res.type("application/json").send(openapi);
  });
  router.get("/docs", (req, res) => {
    noParameters(req);
    res.type("text/html").send(docs);
  });
  return router;
}

/** These endpoints take no parameters: an unknown one is a 400, as everywhere else in the API. */
function noParameters(req: Request): void {
  const names = Object.keys(req.query as object);
  if (names.length > 0) {
    throw new ProblemError(400, "invalid_parameter", `Unknown query parameter '${names[0]}'.`, names.map((n) => ({ pointer: `query.${n}`, message: "is not a parameter of this endpoint" })));
  }
}
