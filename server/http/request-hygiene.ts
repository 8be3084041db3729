import type { RequestHandler } from "express";
import { ProblemError } from "./problem.js";

const NUL = String.fromCharCode(0);
const MAX_DIGITS = 9;
const LARGEST = 10 ** MAX_DIGITS - 1;

/**
 * Checks the validator cannot make: its type coercion reads `Infinity`, `1e1000`, `0x10`,
 * `1e2` and ` 1` as numbers, so an integer parameter is only taken when written in plain
 * decimal digits. A path with a broken percent-encoding is refused here too, with a clear
 * detail instead of a garbled one.
 */
export function requestHygiene(
  /** Integer query parameters by name, with their largest maximum (operations.ts). */
  integerQuery: Map<string, number | undefined>,
): RequestHandler {
  return (req, _res, next) => {
    const path = req.originalUrl.split("?")[0] ?? "";
    try {
      decodeURIComponent(path);
    } catch {
      throw new ProblemError(
        400,
        "invalid_parameter",
        "The request path holds a malformed percent-encoding (a % not followed by two hex digits of valid UTF-8).",
        [{ pointer: "path", message: "is not validly percent-encoded" }],
      );
    }
    const query = req.originalUrl.slice(path.length + 1);
    if (query === "") return next();
    for (const [name, value] of new URLSearchParams(query)) {
      if (name.includes(NUL) || value.includes(NUL)) throw nulByte(`query.${name.replaceAll(NUL, "")}`, 400);
      if (!integerQuery.has(name)) continue;
      if (!/^[0-9]+$/.test(value)) {
        throw new ProblemError(
          400,
          "invalid_parameter",
          `${name} must be a whole number written in decimal digits (got ${JSON.stringify(value.slice(0, 40))}).`,
          [{ pointer: `query.${name}`, message: "must be a whole number in decimal digits" }],
        );
      }
      // Past nine digits a number is beyond every maximum the contract sets (100), and past fifteen the validator's
      // coercion would round it: refused by its size, in the validator's words.
      if (value.replace(/^0+(?=[0-9])/, "").length > MAX_DIGITS) {
        const message = `must be <= ${integerQuery.get(name) ?? LARGEST}`;
        throw new ProblemError(400, "invalid_parameter", `query.${name} ${message}`, [
          { pointer: `query.${name}`, message },
        ]);
      }
    }
    next();
  };
}

/**
 * No text the API stores or compares may hold U+0000: PostgreSQL refuses it in text (a 500 there,
 * while SQLite took it), and no address, name or note needs it. JSON bodies are checked once parsed.
 */
export const noNulInBody: RequestHandler = (req, _res, next) => {
  const pointer = nulPointer(req.body, "");
  if (pointer !== null) throw nulByte(pointer || "/", 422);
  next();
};

/**
 * The JSON pointer of the first string or key holding U+0000, or null. A walk with a stack of its
 * own, not a recursion: a client may nest a body thousands of levels deep (8 KB of brackets),
 * which would exhaust the call stack; the validator then refuses the shape.
 */
function nulPointer(body: unknown, root: string): string | null {
  const pending: [unknown, string][] = [[body, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, at] = next;
    if (typeof value === "string") {
      if (value.includes(NUL)) return at;
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    // Pushed last-first, so that the first offending field in the body's order is the one named.
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const escaped = key.replace(/~/g, "~0").replace(/\//g, "~1");
      // A key holding U+0000 is named as its field (without the NUL), as a value holding one would be.
      pending.push([key.includes(NUL) ? NUL : child, `${at}/${escaped.replaceAll(NUL, "")}`]);
    }
  }
  return null;
}

function nulByte(pointer: string, status: 400 | 422): ProblemError {
  const message = "must not contain the character U+0000";
  return status === 400
    ? new ProblemError(400, "invalid_parameter", `${pointer} ${message}.`, [{ pointer, message }])
    : new ProblemError(422, "validation_failed", `${pointer} ${message}.`, [{ pointer, message }]);
}
