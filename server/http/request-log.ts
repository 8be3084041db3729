import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "../shared/logger.js";
import type { Metrics } from "../shared/metrics.js";

declare module "node:http" {
  interface IncomingMessage {
    /** This request's id (http/request-log.ts): echoed in X-Request-Id, problem bodies and log lines. */
    id?: string;
  }
}

/** What a client may send as X-Request-Id; anything else is replaced by a new id (never echoed). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The access log and the request metrics: every request gets an id (the client's X-Request-Id
 * when it is well-formed, else a new UUID), echoed in X-Request-Id and in problem bodies, and one
 * log line when it is answered: method, route template, status, duration, account, request id.
 * Only the template is logged, never the path or query (a confirmation link's path is its token)
 * and no header (Authorization holds the key).
 *
 * Written on pino directly rather than with pino-http: pino-http makes two child loggers per
 * request (for `req.log`, which nothing here uses) and listens for three events; with pino that
 * was 8.7 % of a GET's CPU time (bench/README.md, issue 18). Here: one listener and one line.
 */
export function requestLog(
  logger: Logger,
  metrics: Metrics,
  /** The route template of a request (its path as the client sent it, without the query). */
  routeOf: (req: Request, path: string) => string,
  options: { quietPaths?: string[] } = {},
): RequestHandler {
  const quiet = new Set(options.quietPaths ?? []);
  const series = metricSeries(metrics);
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    const path = pathOf(req);
    if (quiet.has(path)) return next();
    const started = process.hrtime.bigint();
    // 'close' comes once per response, after 'finish' or when the client went away before it.
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req, path);
      const status = res.statusCode;
      series(req.method, route, status).observe(seconds);
      const failed = status >= 500;
      logger[failed ? "error" : "info"](
        {
          request_id: id,
          method: req.method,
          route,
          status,
          duration_ms: Math.round(seconds * 10_000) / 10,
          account_id: ((res as Response).locals?.accountId as string | undefined) ?? null,
          // The client went away before the whole answer was written.
          ...(!res.writableFinished && { aborted: true }),
        },
        failed ? "request failed" : "request",
      );
    });
    next();
  };
}

/**
 * The request counter and duration histogram of one (method, route, status), looked up once:
 * prom-client hashes the labels on every `inc`/`observe` given as an object, its children do not.
 * The set is bounded: Node's parser knows a fixed list of methods, routes come from the contract.
 */
function metricSeries(metrics: Metrics) {
  const children = new Map<string, { observe(seconds: number): void }>();
  return (method: string, route: string, status: number) => {
    const key = `${method} ${route} ${status}`;
    let child = children.get(key);
    if (child === undefined) {
      const labels = { method, route, status: String(status) };
      const count = metrics.httpRequests.labels(labels);
      const duration = metrics.httpDuration.labels(labels);
      child = {
        observe(seconds) {
          count.inc();
          duration.observe(seconds);
        },
      };
      children.set(key, child);
    }
    return child;
  };
}

/** The path as the client sent it (Express rewrites req.url inside routers; originalUrl keeps it). */
function pathOf(req: IncomingMessage): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "";
  const end = url.indexOf("?");
  return end < 0 ? url : url.slice(0, end);
}
