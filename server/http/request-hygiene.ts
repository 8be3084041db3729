import type { RequestHandler } from "express";
import { ProblemError } from "./problem.js";

/**
 * Checks the validator cannot make: its type coercion reads `Infinity`, `1e1000`, `0x10`,
 * `1e2` and ` 1` as numbers, so an integer parameter is only taken when written in plain
 * decimal digits. A path with a broken percent-encoding is refused here too, with a clear
 * detail instead of a garbled one.
 */
export function requestHygiene(integerQuery: Set<string>): RequestHandler {
  return (req, _res, next) => {
    const path = req.originalUrl.split("?")[0] ?? "";
    try {
      decodeURIComponent(path);
    } catch {
      throw new ProblemError(400, "invalid_parameter", "The request path holds a malformed percent-encoding (a % not followed by two hex digits of valid UTF-8).", [
        { pointer: "path", message: "is not validly percent-encoded" },
      ]);
    }
    const query = req.originalUrl.slice(path.length + 1);
    if (query === "") return next();
    for (const [name, value] of new URLSearchParams(query)) {
      if (integerQuery.has(name) && !/^[0-9]{1,9}$/.test(value)) {
        throw new ProblemError(400, "invalid_parameter", `${name} must be a whole number written in decimal digits (got ${JSON.stringify(value.slice(0, 40))}).`, [
          { pointer: `query.${name}`, message: "must be a whole number in decimal digits" },
        ]);
      }
    }
    next();
  };
}
