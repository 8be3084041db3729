import express, { Router, type Request, type Response } from "express";
import { asyncHandler } from "../http/problem.js";
import { randomToken } from "../shared/ids.js";
import { confirmedPage, confirmPage, expiredPage, notFoundPage, staleFormPage } from "./pages.js";
import type { ConfirmationService, TokenState } from "./service.js";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const COOKIE = "mp_csrf";

/**
 * The public pages a confirmation link opens. GET only shows (mail scanners prefetch links);
 * the POST its button sends confirms, guarded by a nonce bound to a SameSite=Strict cookie.
 */
export function confirmationRoutes(service: ConfirmationService, options: { secureCookie: boolean }): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: "2kb" }));

  router.get("/:token", asyncHandler(async (req, res) => {
    const state = await inspect(service, tokenOf(req));
    if (state.state !== "valid") return sendState(res, state);
    const csrf = randomToken(16);
    res.cookie(COOKIE, csrf, { httpOnly: true, sameSite: "strict", secure: options.secureCookie, path: "/confirm" });
    send(res, 200, confirmPage({ email: state.subject.email, accountName: state.accountName, purpose: state.subject.purpose, csrf }));
  }));

  router.post("/:token", asyncHandler(async (req, res) => {
    const state = await inspect(service, tokenOf(req));
    if (state.state !== "valid") return sendState(res, state);
    const sent = (req.body as { csrf?: unknown } | undefined)?.csrf;
    if (typeof sent !== "string" || sent === "" || sent !== cookie(req, COOKIE)) return send(res, 403, staleFormPage());
    sendState(res, await service.confirm(tokenOf(req)));
  }));

  return router;
}

const tokenOf = (req: Request) => String(req.params.token ?? "");

/** Malformed and oversized tokens are unknown without a lookup. */
function inspect(service: ConfirmationService, token: string): Promise<TokenState> {
  return TOKEN.test(token) ? service.inspect(token) : Promise.resolve({ state: "unknown" });
}

function sendState(res: Response, state: TokenState): void {
  if (state.state === "unknown") return send(res, 404, notFoundPage());
  if (state.state === "expired") return send(res, 410, expiredPage(state.subject.email));
  send(res, 200, confirmedPage(state.subject.email, state.state === "already_confirmed"));
}

function send(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
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
