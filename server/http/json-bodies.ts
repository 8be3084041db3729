import express, { type RequestHandler } from "express";
import { type Operation, operationFor } from "./operations.js";

/**
 * Reads JSON bodies only for operations whose contract has one, each with its limit: the large
 * one for the bulk operation alone (which also takes text/csv), the small one everywhere else.
 * A body sent to an operation that takes none (resend, verify) is not read at all, so it can be
 * neither too large nor of the wrong type. strict: false, so valid JSON of the wrong shape
 * ("a string") is a 422 from the validator.
 */
export function jsonBodies(
  operations: Operation[],
  limits: { json: string; bulk: string; bulkOperationId: string },
): RequestHandler {
  const small = express.json({ limit: limits.json, strict: false });
  const large = express.json({ limit: limits.bulk, strict: false });
  // The bulk operation also takes a CSV file (text/csv), read as text within the same limit.
  const csv = express.text({ limit: limits.bulk, type: "text/csv" });
  // Most requests (every GET) are of a method no operation takes a body with: no path matching for them.
  const methods = new Set(operations.filter((o) => o.jsonBody).map((o) => o.method));
  return (req, res, next) => {
    if (!methods.has(req.method)) return next();
    const op = operationFor(operations, req.method, req.path);
    if (!op?.jsonBody) return next();
    if (op.operationId !== limits.bulkOperationId) return small(req, res, next);
    (req.is("text/csv") ? csv : large)(req, res, next);
  };
}
