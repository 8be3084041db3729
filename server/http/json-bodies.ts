import express, { type NextFunction, type Request, type RequestHandler } from "express";
import { type Operation, operationFor } from "./operations.js";
import { ProblemError } from "./problem.js";

/**
 * Reads JSON bodies only for operations whose contract has one, each with its limit: the large
 * one for the bulk operation alone (which also takes text/csv), the small one everywhere else.
 * A body sent to an operation that takes none (resend, verify) is not read at all, so it can be
 * neither too large nor of the wrong type. strict: false, so valid JSON of the wrong shape
 * ("a string") is a 422 from the validator.
 *
 * An array longer than the contract's maxItems is refused as soon as the body is parsed: the
 * checks after (U+0000, the validator with allErrors) go item by item, and the bulk limit lets a
 * body hold millions of tiny items (36 MB of `"a",` kept the whole API waiting 18 s).
 */
export function jsonBodies(
  operations: Operation[],
  limits: { json: string; bulk: string; bulkOperationId: string },
): RequestHandler {
  const small = express.json({ limit: limits.json, strict: false });
  const large = express.json({ limit: limits.bulk, strict: false });
  // The bulk operation also takes a CSV file (text/csv), read as text within the same limit.
  const csv = csvText(limits.bulk);
  // Most requests (every GET) are of a method no operation takes a body with: no path matching for them.
  const methods = new Set(operations.filter((o) => o.jsonBody).map((o) => o.method));
  return (req, res, next) => {
    if (!methods.has(req.method)) return next();
    const op = operationFor(operations, req.method, req.path);
    if (!op?.jsonBody) return next();
    const checked = withinArrayLimits(op, req, next);
    if (op.operationId !== limits.bulkOperationId) return small(req, res, checked);
    (req.is("text/csv") ? csv : large)(req, res, checked);
  };
}

/**
 * A text/csv body as text: in the charset its Content-Type names (UTF-8 if none), unless it starts
 * with a UTF-16 byte order mark, which says what the file is (WHATWG Encoding's BOM sniffing).
 * Excel's "Unicode text" is UTF-16 with such a mark; read as UTF-8 it was a 422 about U+0000.
 */
function csvText(limit: string): RequestHandler {
  const utf16 = new WeakMap<object, string>();
  const text = express.text({
    limit,
    type: "text/csv",
    verify: (req, _res, raw, charset) => {
      const order =
        raw[0] === 0xff && raw[1] === 0xfe ? "utf-16le" : raw[0] === 0xfe && raw[1] === 0xff ? "utf-16be" : null;
      if (order && charset.toLowerCase() === "utf-8") utf16.set(req, new TextDecoder(order).decode(raw));
    },
  });
  return (req, res, next) =>
    text(req, res, (error?: unknown) => {
      const decoded = utf16.get(req);
      if (error === undefined && decoded !== undefined) req.body = decoded;
      next(error);
    });
}

/** `next`, once the parsed body's arrays are within the operation's maxItems (a 422 if not). */
function withinArrayLimits(op: Operation, req: Request, next: NextFunction): NextFunction {
  if (op.arrayLimits.size === 0) return next;
  return (error?: unknown) => {
    if (error !== undefined || typeof req.body !== "object" || req.body === null) return next(error);
    for (const [name, maxItems] of op.arrayLimits) {
      const value = (req.body as Record<string, unknown>)[name];
      if (Array.isArray(value) && value.length > maxItems) {
        const message = `must NOT have more than ${maxItems} items`;
        return next(
          new ProblemError(422, "validation_failed", `/${name} ${message} (it has ${value.length}).`, [
            { pointer: `/${name}`, message },
          ]),
        );
      }
    }
    next();
  };
}
