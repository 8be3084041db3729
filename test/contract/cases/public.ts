import { serverWithDeadStore } from "../../support/in-process.js";
import type { ContractCase } from "../harness.js";

// A syntactically valid token that was never issued.
const UNKNOWN_TOKEN = "Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0wY2";
const form = { raw: "csrf=q0B3mXj1V9rK2cL5tY8wZa", contentType: "application/x-www-form-urlencoded" };

export const publicCases: ContractCase[] = [
  { operationId: "showConfirmation", status: 200, name: "a link from a confirmation mail", targets: ["mock"], request: () => ({ method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false }) },
  { operationId: "showConfirmation", status: 404, name: "an unknown token", request: () => ({ method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false }) },
  { operationId: "showConfirmation", status: 410, name: "an expired token", targets: ["mock"], request: () => ({ method: "GET", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false }) },
  { operationId: "submitConfirmation", status: 200, name: "the page's form", targets: ["mock"], request: () => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }) },
  { operationId: "submitConfirmation", status: 403, name: "a form without the page's cookie", targets: ["mock"], request: () => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }) },
  { operationId: "submitConfirmation", status: 404, name: "an unknown token", request: () => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }) },
  { operationId: "submitConfirmation", status: 410, name: "an expired token", targets: ["mock"], request: () => ({ method: "POST", path: `/confirm/${UNKNOWN_TOKEN}`, auth: false, ...form }) },

  { operationId: "getHealth", status: 200, name: "a healthy service", request: () => ({ method: "GET", path: "/healthz", auth: false }) },
  { operationId: "getHealth", status: 400, name: "an unknown query parameter", request: () => ({ method: "GET", path: "/healthz?verbose=1", auth: false }) },
  {
    operationId: "getHealth", status: 503, name: "a store that does not answer",
    request: async (ctx) => ({ method: "GET", path: "/healthz", auth: false, ...(ctx.target.kind === "server" && { baseUrl: await serverWithDeadStore() }) }),
  },
  { operationId: "getOpenApiDocument", status: 200, name: "the bundle", request: () => ({ method: "GET", path: "/openapi.json", auth: false }) },
  { operationId: "getOpenApiDocument", status: 400, name: "an unknown query parameter", request: () => ({ method: "GET", path: "/openapi.json?format=yaml", auth: false }) },
  { operationId: "getDocs", status: 200, name: "the reference page", request: () => ({ method: "GET", path: "/docs", auth: false }) },
  { operationId: "getDocs", status: 400, name: "an unknown query parameter", request: () => ({ method: "GET", path: "/docs?theme=dark", auth: false }) },
];
