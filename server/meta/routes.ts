import { createHash } from "node:crypto";
import { statfsSync } from "node:fs";
import { type Request, Router } from "express";
import { type Db, databaseAnswers, databaseWrites } from "../db/database.js";
import { bundledSpecJson, docsHtml } from "../generated-files.js";
import { ProblemError } from "../http/problem.js";
import type { Mailer } from "../mail/mailer.js";

/** /healthz, /openapi.json and /docs: public, served before the validator. */
export function metaRoutes(db: Db, mailer: Mailer, sqliteDir: string | null): Router {
  const router = Router();

  router.get("/healthz", async (req, res) => {
    noParameters(req);
    const store = (await databaseAnswers(db)) ? await databaseWrites(db) : "error";
    const mail = mailer.health();
    const status = store !== "ok" ? "unavailable" : mail === "failing" ? "degraded" : "ok";
    const disk = sqliteDir === null ? null : freeBytes(sqliteDir);
    res
      .status(store === "ok" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status, checks: { store, mail, disk_free_bytes: disk } });
  });
  router.get("/openapi.json", (req, res) => {
    noParameters(req);
    res.type("application/json").send(bundledSpecJson);
  });
  router.get("/docs", (req, res) => {
    noParameters(req);
    res.set("Content-Security-Policy", DOCS_CSP).type("text/html").send(docsHtml);
  });
  return router;
}

/**
 * The reference page runs its own inline scripts (allowed by their hashes, read from the built
 * page) and injects styles at run time (so styles need 'unsafe-inline'); it loads nothing from
 * elsewhere, fetches nothing, and no site may frame it.
 */
const DOCS_CSP = (() => {
  const html = docsHtml.toString("utf8");
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  return (
    `default-src 'none'; script-src ${hashes.join(" ")}; style-src 'unsafe-inline'; img-src data:; ` +
    `font-src data:; worker-src blob:; connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`
  );
})();

/** These endpoints take no parameters: an unknown one is a 400, as everywhere else in the API. */
function noParameters(req: Request): void {
  const names = Object.keys(req.query as object);
  if (names.length > 0) {
    throw new ProblemError(
      400,
      "invalid_parameter",
      `Unknown query parameter '${names[0]}'.`,
      names.map((n) => ({ pointer: `query.${n}`, message: "is not a parameter of this endpoint" })),
    );
  }
}

/** Free bytes on the filesystem that holds `dir`, for an unprivileged writer; null if unknown. */
function freeBytes(dir: string): number | null {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}
