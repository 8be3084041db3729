import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler, Response } from "express";
import { pinoHttp } from "pino-http";
import type { Logger } from "../shared/logger.js";
import type { Metrics } from "../shared/metrics.js";

/** What a client may send as X-Request-Id; anything else is replaced by a new id (never echoed). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The access log and the request metrics: every request gets an id (the client's X-Request-Id
 * when it is well-formed, else a new UUID), echoed in X-Request-Id and in problem bodies, and one
 * log line when it is answered: method, route template, status, duration, account, request id.
 * Only the template is logged, never the path or query (a confirmation link's path is its token)
 * and no header (Authorization holds the key).
 */
export function requestLog(
  logger: Logger,
  metrics: Metrics,
  routeOf: (path: string) => string,
  options: { quietPaths?: string[] } = {},
): RequestHandler {
  const quiet = new Set(options.quietPaths ?? []);
  // The route template is looked up once per request (a scan of the contract's paths), when the
  // answer is finished, and read by both the metrics and the log line.
  const routes = new WeakMap<ServerResponse, string>();
  const routeFor = (req: IncomingMessage, res: ServerResponse) => {
    let route = routes.get(res);
    if (route === undefined) {
      route = routeOf(pathOf(req));
      routes.set(res, route);
    }
    return route;
  };
  const fields = (req: IncomingMessage, res: ServerResponse) => ({
    method: req.method,
    route: routeFor(req, res),
    status: res.statusCode,
    duration_ms: Math.round(elapsedSeconds(res) * 10_000) / 10,
    account_id: ((res as Response).locals?.accountId as string | undefined) ?? null,
  });
  const log = pinoHttp({
    logger,
    // The standard serializers copy every header; the line holds only the fields below.
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined, err: () => undefined },
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: "request_id" },
    genReqId: (req, res) => {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request failed",
    customSuccessObject: (req, res) => fields(req, res),
    customErrorObject: (req, res) => fields(req, res),
  });
  return (req, res, next) => {
    if (quiet.has(pathOf(req))) return next();
    started.set(res, process.hrtime.bigint());
    res.once("finish", () => {
      const labels = { method: req.method, route: routeFor(req, res), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, elapsedSeconds(res));
    });
    log(req, res, next);
  };
}

const started = new WeakMap<ServerResponse, bigint>();

function elapsedSeconds(res: ServerResponse): number {
  const start = started.get(res);
  return start === undefined ? 0 : Number(process.hrtime.bigint() - start) / 1e9;
}

/** The path as the client sent it (Express rewrites req.url inside routers; originalUrl keeps it). */
function pathOf(req: IncomingMessage): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "";
  const end = url.indexOf("?");
  return end < 0 ? url : url.slice(0, end);
}
