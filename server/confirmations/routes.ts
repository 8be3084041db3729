import express, { type ErrorRequestHandler, type Request, type Response, Router } from "express";
import type { RateLimiter } from "../http/rate-limit.js";
import { limitPerAddress } from "../http/request-limits.js";
import type { Logger } from "../shared/logger.js";
import type { FormGuard } from "./form-guard.js";
import {
  badRequestPage,
  confirmedPage,
  confirmPage,
  errorPage,
  expiredPage,
  methodNotAllowedPage,
  notFoundPage,
  PAGE_CSP,
  staleFormPage,
  tooManyRequestsPage,
} from "./pages.js";
import type { ConfirmationService, TokenState } from "./service.js";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const COOKIE = "mp_csrf";

/**
 * The public pages a confirmation link opens. GET only shows (mail scanners prefetch links);
 * the POST its button sends confirms, guarded by a form value bound to the link and to a
 * SameSite=Strict cookie. Every answer, errors included, is a small HTML page: a person reads it.
 */
export function confirmationRoutes(
  service: ConfirmationService,
  guard: FormGuard,
  limiter: RateLimiter,
  logger: Logger,
  options: { secureCookie: boolean },
): Router {
  const router = Router();
  router.use(
    limitPerAddress(limiter, (res, seconds) =>
      send(res.set("Retry-After", String(seconds)), 429, tooManyRequestsPage(seconds)),
    ),
  );

  router.get("/:token", async (req, res) => {
    const token = tokenOf(req);
    const state = await inspect(service, token);
    if (state.state !== "valid") return sendState(res, state);
    const { nonce, field } = await guard.issue(token);
    res.cookie(COOKIE, nonce, { httpOnly: true, sameSite: "strict", secure: options.secureCookie, path: "/confirm" });
    send(
      res,
      200,
      confirmPage({
        email: state.subject.email,
        accountName: state.accountName,
        purpose: state.subject.purpose,
        csrf: field,
      }),
    );
  });

  // Only the page's own form is accepted: url-encoded, small.
  router.post(
    "/:token",
    formOnly,
    express.urlencoded({ extended: false, limit: "2kb", parameterLimit: 10 }),
    async (req, res) => {
      const token = tokenOf(req);
      const state = await inspect(service, token);
      if (state.state !== "valid") return sendState(res, state);
      const field = (req.body as { csrf?: unknown } | undefined)?.csrf;
      if (!(await guard.verify(token, field, cookie(req, COOKIE)))) return send(res, 403, staleFormPage());
      sendState(res, await service.confirm(token));
    },
  );

  router.all("/:token", (_req, res) => send(res.set("Allow", "GET, HEAD, POST"), 405, methodNotAllowedPage()));
  router.use(pageErrors(logger));
  return router;
}

function formOnly(req: Request, res: Response, next: () => void): void {
  if (req.is("application/x-www-form-urlencoded")) next();
  else send(res, 400, badRequestPage());
}

/** A malformed link (a broken %-escape), an oversized or unreadable form: a page, never JSON. */
function pageErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status =
      (error as { status?: number; statusCode?: number }).status ??
      (error as { statusCode?: number }).statusCode ??
      500;
    if (status >= 500)
      logger.error(
        {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        },
        "confirmation page failed",
      );
    if (res.headersSent) return void res.destroy();
    if (status >= 500) return send(res, 500, errorPage());
    send(res, 400, badRequestPage());
  };
}

const tokenOf = (req: Request) => String(req.params.token ?? "");

/** Malformed and oversized tokens are unknown without a lookup. */
function inspect(service: ConfirmationService, token: string): Promise<TokenState> {
  return TOKEN.test(token) ? service.inspect(token) : Promise.resolve({ state: "unknown" });
}

function sendState(res: Response, state: TokenState): void {
  if (state.state === "unknown") send(res, 404, notFoundPage());
  else if (state.state === "expired") send(res, 410, expiredPage(state.subject.email));
  else send(res, 200, confirmedPage(state.subject.email, state.state === "already_confirmed"));
}

function send(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": PAGE_CSP,
    })
    .type("text/html")
    .send(html);
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}
