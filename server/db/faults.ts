/**
 * What a database error says about the database, as both drivers report it: gone or unreachable
 * for now (a 503 and a retry make sense), out of disk (507), or neither (a bug: a 500).
 */
export type StoreFault = "unavailable" | "full" | null;

// Connection-level failures of pg and of the network under it, and PostgreSQL's SQLSTATEs for
// "cannot serve you now": connection exceptions (08xxx), admin shutdown and crash (57P0x),
// statement timeout (57014), too many connections (53300), read-only standby (25006), and a
// transaction PostgreSQL ended to break a deadlock (40P01) or a serialization conflict (40001):
// the same request, retried, goes through.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "57014",
  "53300",
  "25006",
  "40P01",
  "40001",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_READONLY",
]);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /connection (?:is )?closed/i,
  /Client has encountered a connection error/i,
  /database connection is not open/i,
  /driver has already been destroyed/i,
];

export function storeFault(error: unknown): StoreFault {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  // SQLITE_FULL; PostgreSQL's 53100 disk_full and 53200 out_of_memory leave nothing to write to either.
  if (code === "SQLITE_FULL" || code === "53100") return "full";
  if (UNAVAILABLE_CODES.has(code) || code.startsWith("SQLITE_IOERR")) return "unavailable";
  const message = typeof e?.message === "string" ? e.message : "";
  return UNAVAILABLE_MESSAGES.some((m) => m.test(message)) ? "unavailable" : null;
}
