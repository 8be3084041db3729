import { inProcessServer, serverWithDeadStore } from "../../support/in-process.js";
import { confirmAsABrowser, latestOutboxPath } from "../../support/mail.js";
import type { CaseContext, ContractCase, RequestSpec } from "../harness.js";
import { mailedConfirmPath, malformedParameter, once, onSpentBudget } from "./common.js";

/** Servers of the run's own whose operator set a metrics token, or turned metrics off. */
const metricsBehindToken = once(async () => {
  const server = await inProcessServer({ sqlite: true, env: { METRICS_TOKEN: "the-operators-metrics-token" } });
  return server.url;
});
const metricsOff = once(async () => (await inProcessServer({ sqlite: true, env: { METRICS: "off" } })).url);

// A syntactically valid token that was never issued.
const UNKNOWN_TOKEN = "Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0wY2";
const form = { raw: "csrf=q0B3mXj1V9rK2cL5tY8wZa", contentType: "application/x-www-form-urlencoded" };

export const publicCases: ContractCase[] = [
  {
    operationId: "showConfirmation",
    status: 200,
    name: "a link from a confirmation mail",
    request: async (ctx) => ({ method: "GET", path: await mailedConfirmPath(ctx), auth: false }),
  },
  {
    operationId: "showConfirmation",
    status: 404,
    name: "an unknown token",
    request: () => ({ method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false }),
  },
  {
    operationId: "showConfirmation",
    status: 410,
    name: "an expired token",
    request: async (ctx) => ({ method: "GET", auth: false, ...(await expiredLink(ctx)) }),
  },
  {
    operationId: "submitConfirmation",
    status: 200,
    name: "an address already confirmed (a scanner pressing the button again)",
    request: async (ctx) => {
      const path = await mailedConfirmPath(ctx);
      if (ctx.target.kind === "server") await confirmAsABrowser(ctx.target.baseUrl, path);
      return { method: "POST", path, auth: false, ...form };
    },
  },
  {
    operationId: "submitConfirmation",
    status: 403,
    name: "a form without the page's cookie",
    request: async (ctx) => ({ method: "POST", path: await mailedConfirmPath(ctx), auth: false, ...form }),
  },
  {
    operationId: "submitConfirmation",
    status: 404,
    name: "an unknown token",
    request: () => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }),
  },
  {
    operationId: "submitConfirmation",
    status: 410,
    name: "an expired token",
    request: async (ctx) => ({ method: "POST", auth: false, ...form, ...(await expiredLink(ctx)) }),
  },

  {
    operationId: "showConfirmation",
    status: 400,
    name: "a link with a broken percent-encoding",
    request: malformedParameter(
      { method: "GET", path: "/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0w%ZZ", auth: false },
      { method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false },
    ),
  },
  {
    operationId: "showConfirmation",
    status: 429,
    name: "past the address's page budget",
    request: onSpentBudget(() => ({ method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false }), { auth: false }),
  },
  {
    operationId: "submitConfirmation",
    status: 400,
    name: "a JSON body instead of the form",
    request: malformedParameter(
      { method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, json: { csrf: "x" } },
      { method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form },
    ),
  },
  {
    operationId: "submitConfirmation",
    status: 429,
    name: "past the address's page budget",
    request: onSpentBudget(() => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }), {
      auth: false,
    }),
  },

  {
    operationId: "getHealth",
    status: 200,
    name: "a healthy service",
    request: () => ({ method: "GET", path: "/healthz", auth: false }),
  },
  {
    operationId: "getHealth",
    status: 400,
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: "/healthz?verbose=1", auth: false }),
  },
  {
    operationId: "getHealth",
    status: 503,
    name: "a store that does not answer",
    request: async (ctx) => ({
      method: "GET",
      path: "/healthz",
      auth: false,
      ...(ctx.target.kind === "server" && { baseUrl: await serverWithDeadStore() }),
    }),
  },
  {
    operationId: "getMetrics",
    status: 200,
    name: "a scrape (open: no METRICS_TOKEN)",
    request: () => ({ method: "GET", path: "/metrics", auth: false }),
  },
  {
    operationId: "getMetrics",
    status: 400,
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: "/metrics?format=json", auth: false }),
  },
  {
    operationId: "getMetrics",
    status: 401,
    name: "a scrape without the METRICS_TOKEN the operator set",
    request: async (ctx) => ({
      method: "GET",
      path: "/metrics",
      auth: false,
      headers: { authorization: "Bearer not-the-metrics-token" },
      ...(ctx.target.kind === "server" && { baseUrl: await metricsBehindToken() }),
    }),
  },
  {
    operationId: "getMetrics",
    status: 404,
    name: "metrics turned off (METRICS=off)",
    request: async (ctx) => ({
      method: "GET",
      path: "/metrics",
      auth: false,
      ...(ctx.target.kind === "server" && { baseUrl: await metricsOff() }),
    }),
  },
  {
    operationId: "getOpenApiDocument",
    status: 200,
    name: "the bundle",
    request: () => ({ method: "GET", path: "/openapi.json", auth: false }),
  },
  {
    operationId: "getOpenApiDocument",
    status: 400,
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: "/openapi.json?format=yaml", auth: false }),
  },
  {
    operationId: "getDocs",
    status: 200,
    name: "the reference page",
    request: () => ({ method: "GET", path: "/docs", auth: false }),
  },
  {
    operationId: "getDocs",
    status: 400,
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: "/docs?theme=dark", auth: false }),
  },
];

/**
 * A link past its expiry. On the server: a server of its own whose clock moves 8 days on after
 * the mail was sent (links live 7 days by default).
 */
async function expiredLink(ctx: CaseContext): Promise<Pick<RequestSpec, "path" | "baseUrl">> {
  if (ctx.target.kind !== "server") return { path: `/confirm/${UNKNOWN_TOKEN}` };
  let now = Date.now();
  const server = await inProcessServer({ clock: () => new Date(now) });
  const key = await server.createKey("expiry");
  const email = `late-${ctx.unique()}@acme-logistics.com`;
  await fetch(`${server.url}/v1/destinations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  const path = await latestOutboxPath(server.dataDir, email);
  now += 8 * 24 * 3600 * 1000;
  return { path, baseUrl: server.url };
}
