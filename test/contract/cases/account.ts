import type { ContractCase } from "../harness.js";
import { authAndFailureCases, malformedParameter, oversized } from "./common.js";

const path = "/v1/account";

export const accountCases: ContractCase[] = [
  {
    operationId: "getAccount",
    status: 200,
    name: "the key's account",
    request: () => ({ method: "GET", path }),
  },
  {
    operationId: "getAccount",
    status: 400,
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: `${path}?verbose=1` }),
  },
  ...authAndFailureCases("getAccount", () => ({ method: "GET", path })),

  {
    operationId: "updateAccount",
    status: 200,
    name: "a new display name",
    request: () => ({ method: "PATCH", path, json: { display_name: "Acme Logistics" } }),
  },
  {
    operationId: "updateAccount",
    status: 400,
    name: "a body that is not JSON",
    request: malformedParameter(
      { method: "PATCH", path, raw: '{"display_name": ', contentType: "application/json" },
      { method: "PATCH", path, json: { display_name: "Acme Logistics" } },
    ),
  },
  {
    operationId: "updateAccount",
    status: 413,
    name: "a body over the limit",
    request: () => ({ method: "PATCH", path, ...oversized({ display_name: "Acme Logistics" }) }),
  },
  {
    operationId: "updateAccount",
    status: 415,
    name: "a text/plain body",
    request: () => ({ method: "PATCH", path, raw: "Acme Logistics", contentType: "text/plain" }),
  },
  {
    operationId: "updateAccount",
    status: 422,
    name: "a display name with a line break (a header injection in the mail)",
    request: () => ({ method: "PATCH", path, json: { display_name: "Acme\nBcc: everyone@example.com" } }),
  },
  {
    operationId: "updateAccount",
    status: 422,
    name: "a display name with a right-to-left override (it would turn the mail's sentence around)",
    request: () => ({ method: "PATCH", path, json: { display_name: "Acme \u202Eserdda siht ot liam" } }),
  },
  ...authAndFailureCases("updateAccount", () => ({ method: "PATCH", path, json: { display_name: "Acme Logistics" } })),
];
