import { createHash, timingSafeEqual } from "node:crypto";
import { statfsSync } from "node:fs";
import { type Request, Router } from "express";
import { type Db, databaseAnswers, databaseWrites } from "../db/database.js";
import { bundledSpecJson, docsHtml } from "../generated-files.js";
import { ProblemError } from "../http/problem.js";
import { staticDocument } from "../http/static-document.js";
import type { Mailer } from "../mail/mailer.js";
import type { Metrics } from "../shared/metrics.js";

export interface MetaSources {
  db: Db;
  mailer: Mailer;
  /** The SQLite store's folder (its free space is reported); null on PostgreSQL. */
  sqliteDir: string | null;
  /** Chunks waiting and running, from the store. */
  queue: () => Promise<{ chunks: { queued: number; running: number }; oldestQueuedAt: string | null }>;
  /** Workers alive (a heartbeat within the last minute), and any recent refusal of their sender, from the store. */
  workers: () => Promise<{ alive: number; lastSeenAt: string | null; senderRefusedAt: string | null }>;
  /** When this process's own probes last had their sender refused (recently), or null. */
  senderRefusedAt: () => string | null;
  metrics: Metrics;
  /** GET /metrics: off (not served), open (token undefined), or behind a bearer token. */
  metricsAccess: { enabled: boolean; token: string | undefined };
  /** Where this server is reached (PUBLIC_URL): the reference page names it as the server. */
  publicUrl: string;
}

/** /healthz, /metrics, /openapi.json and /docs: public (or the operator's), served before the validator. */
export function metaRoutes(sources: MetaSources): Router {
  const { db, mailer, sqliteDir } = sources;
  const router = Router();

  router.get("/healthz", async (req, res) => {
    noParameters(req);
    const answers = await databaseAnswers(db);
    const store = answers ? await databaseWrites(db) : "error";
    const [queue, workers] = answers
      ? await Promise.all([sources.queue().catch(() => null), sources.workers().catch(() => null)])
      : [null, null];
    const mail = mailer.health();
    // Work waits and no worker of any process is alive: jobs will not move.
    const stalled = (queue?.chunks.queued ?? 0) > 0 && workers?.alive === 0;
    // Mail hosts refuse the probe's sender (here or in any worker): results will be unknown.
    const probe = sources.senderRefusedAt() || workers?.senderRefusedAt ? "sender_refused" : "ok";
    const degraded = mail === "failing" || stalled || probe !== "ok";
    const status = store !== "ok" ? "unavailable" : degraded ? "degraded" : "ok";
    const disk = sqliteDir === null ? null : freeBytes(sqliteDir);
    res
      .status(store === "ok" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({
        status,
        checks: { store, mail, probe, disk_free_bytes: disk },
        workers: workers && { alive: workers.alive, last_heartbeat_at: workers.lastSeenAt },
        queue: queue && {
          queued_chunks: queue.chunks.queued,
          running_chunks: queue.chunks.running,
          oldest_queued_at: queue.oldestQueuedAt,
        },
      });
  });
  if (sources.metricsAccess.enabled) {
    const allowed = tokenCheck(sources.metricsAccess.token);
    router.get("/metrics", async (req, res) => {
      noParameters(req);
      if (!allowed(req.headers.authorization)) {
        throw new ProblemError(401, "unauthorized", "Send the metrics token as 'Authorization: Bearer <token>'.", [], {
          "WWW-Authenticate": 'Bearer realm="mailproof-metrics"',
        });
      }
      const { registry } = sources.metrics;
      res
        .set("Cache-Control", "no-store")
        .type(registry.contentType)
        .send(await registry.metrics());
    });
  }
  const contract = staticDocument(bundledSpecJson, "application/json");
  router.get("/openapi.json", async (req, res) => {
    noParameters(req);
    await contract(req, res);
  });
  const docs = docsServedAt(sources.publicUrl);
  const docsPage = staticDocument(docs.html, "text/html");
  router.get("/docs", async (req, res) => {
    noParameters(req);
    res.set("Content-Security-Policy", docs.csp);
    await docsPage(req, res);
  });
  // Each is GET (and HEAD) only: another method is a 405 naming them, as on the API's paths.
  const served = ["/healthz", "/openapi.json", "/docs", ...(sources.metricsAccess.enabled ? ["/metrics"] : [])];
  router.all(served, (req) => {
    throw new ProblemError(405, "method_not_allowed", `${req.method} is not allowed on ${req.path}.`, undefined, {
      Allow: "GET, HEAD",
    });
  });
  return router;
}

/**
 * The reference page as this server serves it: the contract's server (relative: "/") becomes
 * PUBLIC_URL, so the page names the address it is read at. It runs its own inline scripts
 * (allowed by their hashes, taken from this page) and injects styles at run time (so styles need
 * 'unsafe-inline'); it loads nothing from elsewhere, fetches nothing, and no site may frame it.
 */
function docsServedAt(publicUrl: string): { html: string; csp: string } {
  const html = docsHtml
    .toString("utf8")
    // Inside a script: no "<" may end it.
    .replaceAll(`"servers":[{"url":"/",`, `"servers":[{"url":${JSON.stringify(publicUrl).replaceAll("<", "\\u003c")},`);
  return { html, csp: docsCsp(html) };
}

function docsCsp(html: string): string {
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
}

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

/** Whether an Authorization header carries the token (compared in constant time); always, without one. */
export function tokenCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = createHash("sha256").update(token).digest();
  return (header) => {
    const given = /^Bearer (.+)$/i.exec(header ?? "")?.[1];
    return given !== undefined && timingSafeEqual(createHash("sha256").update(given).digest(), expected);
  };
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
