import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { normalizeHostname } from "./shared/hostname.js";

/** A SOCKS5 proxy to reach mail servers through (for hosts whose outbound port 25 is blocked). */
export interface SocksProxy {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** Every setting, read from environment variables (README.md lists them). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  inboundMxHost: string | undefined;
  spfInclude: string | undefined;
  validateResponses: boolean;
  jsonBodyLimit: string;
  bulkBodyLimit: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  resendMinIntervalSeconds: number;
  resendCapPer24h: number;
  confirmTokenTtlHours: number;
  dnsServers: string[];
  dnsTimeoutMs: number;
  domainVerifyGraceMs: number;
  domainRecheckIntervalMs: number;
  /** How long a finished email validation is kept (its addresses and results); 0: for ever. */
  validationRetentionMs: number;
  validation: {
    probeEnabled: boolean;
    allowPrivateNetworks: boolean;
    smtpPort: number;
    heloName: string;
    mailFrom: string;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    greylistRetryMs: number;
    /** The most one domain's probe conversations may take, retries included. */
    domainTimeoutMs: number;
    perHostConcurrency: number;
    refusalsPerConnection: number;
    rateLimitBackoffMs: number;
    concurrency: number;
    checkTimeoutMs: number;
    chunksInFlight: number;
    /** socks5://[user:password@]host:port, or undefined to connect directly. */
    socksProxy: SocksProxy | undefined;
  };
  webhooks: {
    allowHttp: boolean;
    allowPrivateNetworks: boolean;
    timeoutMs: number;
    leaseMs: number;
    concurrency: number;
    /** Multiplies the retry schedule's waits (1: about three days; tests make it seconds). */
    retryScale: number;
    /** The key every endpoint's signing secret is derived from; unset: one made and kept in the store. */
    signingKey: string | undefined;
  };
  /** In-process validation workers (0: this process only answers the API). */
  workers: number;
  /** How long a worker's claim on a chunk holds without a heartbeat. */
  validationLeaseMs: number;
  /** Unset: SQLite in DATA_DIR. */
  databaseUrl: string | undefined;
  dbPoolMax: number;
  dbStartupTimeoutMs: number;
  /** The bound on one PostgreSQL query (client and server side). */
  dbQueryTimeoutMs: number;
  /** Confirmation mails one account may send in a rolling hour, whatever the addresses. */
  mailQuotaPerHour: number | null;
  rateLimits: RateLimits;
  /** Where the request budgets are counted when set; unset: PostgreSQL, or this process on SQLite. */
  redisUrl: string | undefined;
  /** What every key mailproof writes in Redis starts with (deployments sharing a Redis differ in it). */
  redisKeyPrefix: string;
  /** Origins allowed to call the API from a browser (CORS); empty: none. */
  corsOrigins: string[];
  /** Express's `trust proxy`: which proxies' X-Forwarded-For names the client (false: none). */
  trustProxy: boolean | number | string;
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** pino's level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** GET /metrics: served (open, or behind `token`), or off. */
  metrics: { enabled: boolean; token: string | undefined; workerPort: number | undefined };
  /** Apply pending migrations at start (false: the operator runs `npm run migrate` first). */
  migrateOnStart: boolean;
}

/** A budget of requests per window; null turns a class of limit off. */
export interface Budget {
  points: number;
  windowSeconds: number;
}

/** Per API key: reads, writes, checks, bulk; per client address: public pages and failed authentication. */
export interface RateLimits {
  reads: Budget | null;
  writes: Budget | null;
  checks: Budget | null;
  bulk: Budget | null;
  public: Budget | null;
  auth_failures: Budget | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Reads and checks the configuration; every bad value is reported at once, then start-up stops. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | undefined, expected: string): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = parse(raw.trim());
    // A rejected secret is not echoed: the error goes to logs.
    const shown = /TOKEN$/.test(name) ? '"***"' : JSON.stringify(withoutPassword(raw));
    if (value === undefined) problems.push(`${name}=${shown}: expected ${expected}`);
    return value === undefined ? fallback : value;
  };

  const port = read(
    "PORT",
    8080,
    (r) => (/^\d+$/.test(r) && Number(r) >= 0 && Number(r) <= 65535 ? Number(r) : undefined),
    "a port number 0-65535",
  );
  const host = read("HOST", "127.0.0.1", (r) => r, "an address");
  const dataDir = resolve(read("DATA_DIR", "./data", (r) => r, "a directory"));
  const publicUrl = read(
    "PUBLIC_URL",
    `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    httpUrl,
    "an http:// or https:// URL without a query",
  ).replace(/\/+$/, "");
  const hostname = (r: string) => normalizeHostname(r) ?? undefined;
  const inboundMxHost = read<string | undefined>(
    "INBOUND_MX_HOST",
    undefined,
    hostname,
    "a hostname such as inbound.example.net",
  );
  const spfInclude = read<string | undefined>("SPF_INCLUDE", undefined, hostname, "a hostname such as spf.example.net");
  const validateResponses = read("VALIDATE_RESPONSES", env.NODE_ENV !== "production", bool, "true or false");
  const size = (r: string) => (/^\d+(b|kb|mb)?$/i.test(r) ? r.toLowerCase() : undefined);
  const jsonBodyLimit = read("JSON_BODY_LIMIT", "100kb", size, "a size such as 100kb");
  // 100,000 addresses of up to 320 characters, JSON-quoted: the spec's maxItems and maxLength bound it.
  const bulkBodyLimit = read("BULK_BODY_LIMIT", "40mb", size, "a size such as 40mb");
  const smtpUrl = read<string | undefined>(
    "SMTP_URL",
    undefined,
    (r) => (/^smtps?:\/\/[^\s]+$/.test(r) && URL.canParse(r) ? r : undefined),
    "smtp://[user:password@]host:port or smtps://...",
  );
  const mailFrom = read(
    "MAIL_FROM",
    "mailproof <no-reply@localhost>",
    (r) => (/[\r\n]/.test(r) || !r.includes("@") ? undefined : r),
    "a sender such as 'mailproof <no-reply@example.net>'",
  );
  const count = (min: number) => (r: string) => (/^\d+$/.test(r) && Number(r) >= min ? Number(r) : undefined);
  const resendMinIntervalSeconds = read("RESEND_MIN_INTERVAL_SECONDS", 60, count(0), "whole seconds (0 or more)");
  const resendCapPer24h = read("RESEND_CAP_24H", 5, count(1), "a whole number of mails (1 or more)");
  const confirmTokenTtlHours = read("CONFIRM_TOKEN_TTL_HOURS", 168, count(1), "whole hours (1 or more)");
  const dnsServers = read(
    "DNS_SERVERS",
    [] as string[],
    (r) => {
      const list = r
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
      return list.every((x) => isIP(x.replace(/^\[(.*)\](:\d+)?$/, "$1").replace(/^([\d.]+):\d+$/, "$1")) !== 0)
        ? list
        : undefined;
    },
    "a comma-separated list of ip[:port] (IPv6 as [ip]:port)",
  );
  const dnsTimeoutMs = read("DNS_TIMEOUT_MS", 5000, count(100), "milliseconds (100 or more)");
  const domainVerifyGraceMs = read(
    "DOMAIN_VERIFY_GRACE",
    72 * 3600_000,
    duration,
    "a duration such as 72h, 30m or 90s",
  );
  const domainRecheckIntervalMs = read(
    "DOMAIN_RECHECK_INTERVAL",
    15 * 60_000,
    duration,
    "a duration such as 15m (0 turns the re-check off)",
  );
  const validationRetentionMs = read(
    "VALIDATION_RETENTION",
    0,
    duration,
    "a duration such as 30d or 12h (0 keeps finished jobs for ever)",
  );
  const databaseUrl = read<string | undefined>(
    "DATABASE_URL",
    undefined,
    (r) => (/^postgres(ql)?:\/\//.test(r) && URL.canParse(r) ? r : undefined),
    "postgres://user:password@host:5432/database",
  );
  const redisUrl = read<string | undefined>(
    "REDIS_URL",
    undefined,
    (r) => (/^rediss?:\/\//.test(r) && URL.canParse(r) ? r : undefined),
    "redis://host:6379 (or rediss:// for TLS)",
  );
  const redisKeyPrefix = read(
    "REDIS_KEY_PREFIX",
    "mailproof:",
    (r) => (/^[\w.:-]{1,64}$/.test(r) ? r : undefined),
    "letters, digits, '_', '.', ':' or '-' (at most 64)",
  );
  const dbPoolMax = read("DB_POOL_MAX", 10, count(1), "a number of connections (1 or more)");
  const dbQueryTimeoutMs = read("DB_QUERY_TIMEOUT_MS", 10_000, count(100), "milliseconds (100 or more)");
  const dbStartupTimeoutMs = read(
    "DB_STARTUP_TIMEOUT_MS",
    30_000,
    count(0),
    "milliseconds to wait for the database at start",
  );

  // The probe's identity must be valid by construction: where PUBLIC_URL names only an address,
  // EHLO and MAIL FROM carry it as an address literal (RFC 5321 §4.1.3), never a bare IP, which
  // mail hosts refuse ("501 5.1.7 Bad sender address syntax").
  const heloName = read(
    "VALIDATION_HELO_NAME",
    identityOf(new URL(publicUrl).hostname),
    (r) => normalizeHostname(r) ?? (r === "localhost" || isIP(r) ? identityOf(r) : undefined),
    "a host name or an IP address",
  );
  const validation = {
    probeEnabled: read("VALIDATION_SMTP_PROBE", true, bool, "true or false"),
    allowPrivateNetworks: read("VALIDATION_ALLOW_PRIVATE_NETWORKS", false, bool, "true or false"),
    smtpPort: read(
      "VALIDATION_SMTP_PORT",
      25,
      (r) => (/^\d+$/.test(r) && Number(r) > 0 && Number(r) < 65536 ? Number(r) : undefined),
      "a port number",
    ),
    heloName,
    mailFrom: read(
      "VALIDATION_MAIL_FROM",
      `verify@${heloName}`,
      (r) => (/^[^\s<>@]+@[^\s<>@]+$/.test(r) ? r : undefined),
      "an address such as verify@example.net",
    ),
    connectTimeoutMs: read("VALIDATION_CONNECT_TIMEOUT_MS", 10_000, count(100), "milliseconds"),
    commandTimeoutMs: read("VALIDATION_COMMAND_TIMEOUT_MS", 10_000, count(100), "milliseconds"),
    greylistRetryMs: read("VALIDATION_GREYLIST_RETRY_MS", 60_000, count(0), "milliseconds"),
    domainTimeoutMs: read("VALIDATION_DOMAIN_TIMEOUT_MS", 120_000, count(1000), "milliseconds (1000 or more)"),
    perHostConcurrency: read("VALIDATION_PER_HOST_CONCURRENCY", 2, count(1), "connections (1 or more)"),
    refusalsPerConnection: read(
      "VALIDATION_REFUSALS_PER_CONNECTION",
      9,
      count(1),
      "refused recipients per connection (1 or more)",
    ),
    rateLimitBackoffMs: read("VALIDATION_RATE_LIMIT_BACKOFF_MS", 1000, count(1), "milliseconds (1 or more)"),
    concurrency: read("VALIDATION_CONCURRENCY", 50, count(1), "connections (1 or more)"),
    checkTimeoutMs: read("EMAIL_CHECK_TIMEOUT_MS", 15_000, count(100), "milliseconds"),
    chunksInFlight: read("VALIDATION_CHUNKS_IN_FLIGHT", 32, count(1), "chunks (1 or more)"),
    socksProxy: read<SocksProxy | undefined>(
      "VALIDATION_SOCKS_PROXY",
      undefined,
      socksProxy,
      "socks5://[user:password@]host:port",
    ),
  };
  const webhookTimeoutMs = read("WEBHOOK_TIMEOUT_MS", 10_000, count(100), "milliseconds (100 or more)");
  const webhooks = {
    allowHttp: read("WEBHOOK_ALLOW_HTTP", false, bool, "true or false"),
    allowPrivateNetworks: read("WEBHOOK_ALLOW_PRIVATE_NETWORKS", false, bool, "true or false"),
    timeoutMs: webhookTimeoutMs,
    leaseMs: read(
      "WEBHOOK_LEASE_MS",
      webhookTimeoutMs + 20_000,
      (r) => (/^\d+$/.test(r) && Number(r) > webhookTimeoutMs ? Number(r) : undefined),
      "milliseconds, more than WEBHOOK_TIMEOUT_MS",
    ),
    concurrency: read("WEBHOOK_CONCURRENCY", 16, count(1), "deliveries in flight (1 or more)"),
    retryScale: read(
      "WEBHOOK_RETRY_SCALE",
      1,
      (r) => (Number(r) > 0 && Number(r) <= 1 ? Number(r) : undefined),
      "a factor above 0, at most 1",
    ),
    signingKey: read<string | undefined>(
      "WEBHOOK_SIGNING_KEY",
      undefined,
      (r) => (r.length >= 32 ? r : undefined),
      "a random string of 32 characters or more",
    ),
  };
  const workers = read("WORKERS", 1, count(0), "a number of workers (0 or more)");
  const validationLeaseMs = read("VALIDATION_LEASE_MS", 60_000, count(1000), "milliseconds (1000 or more)");
  const budgetText = "a budget such as 120/60s, 20/1h or off";
  const rateLimits: RateLimits = {
    reads: read<Budget | null>("RATE_LIMIT_READS", { points: 1200, windowSeconds: 60 }, budget, budgetText),
    writes: read<Budget | null>("RATE_LIMIT_WRITES", { points: 120, windowSeconds: 60 }, budget, budgetText),
    checks: read<Budget | null>("RATE_LIMIT_CHECKS", { points: 30, windowSeconds: 60 }, budget, budgetText),
    bulk: read<Budget | null>("RATE_LIMIT_BULK", { points: 20, windowSeconds: 3600 }, budget, budgetText),
    public: read<Budget | null>("RATE_LIMIT_PUBLIC", { points: 60, windowSeconds: 60 }, budget, budgetText),
    auth_failures: read<Budget | null>(
      "RATE_LIMIT_AUTH_FAILURES",
      { points: 20, windowSeconds: 60 },
      budget,
      budgetText,
    ),
  };
  const mailQuotaPerHour = read<number | null>(
    "MAIL_QUOTA_PER_HOUR",
    100,
    (r) => (/^off$/i.test(r) ? null : count(1)(r)),
    "a number of mails (1 or more) or off",
  );
  const corsOrigins = read(
    "CORS_ORIGINS",
    [] as string[],
    origins,
    "a comma-separated list of origins such as https://app.example.com",
  );
  const trustProxy = read<boolean | number | string>(
    "TRUST_PROXY",
    false,
    (r) => bool(r) ?? (/^\d+$/.test(r) ? Number(r) : r),
    "true, false, a hop count or addresses",
  );
  const http = {
    headersTimeoutMs: read("HTTP_HEADERS_TIMEOUT_MS", 10_000, count(1000), "milliseconds (1000 or more)"),
    requestTimeoutMs: read("HTTP_REQUEST_TIMEOUT_MS", 15_000, count(1000), "milliseconds (1000 or more)"),
    keepAliveTimeoutMs: read("HTTP_KEEP_ALIVE_TIMEOUT_MS", 5_000, count(100), "milliseconds (100 or more)"),
  };
  const logLevel = read(
    "LOG_LEVEL",
    "info",
    (r) => (/^(trace|debug|info|warn|error|fatal|silent)$/.test(r) ? r : undefined),
    "trace, debug, info, warn, error, fatal or silent",
  );
  const metrics = {
    enabled: read("METRICS", true, bool, "on or off"),
    token: read<string | undefined>(
      "METRICS_TOKEN",
      undefined,
      (r) => (/^[\x21-\x7e]{16,}$/.test(r) ? r : undefined),
      "a token of 16 or more printable ASCII characters",
    ),
    workerPort: read<number | undefined>(
      "METRICS_PORT",
      undefined,
      (r) => (/^\d+$/.test(r) && Number(r) > 0 && Number(r) < 65536 ? Number(r) : undefined),
      "a port number (the worker's /metrics)",
    ),
  };
  const migrateOnStart = read("MIGRATE_ON_START", true, bool, "true or false");
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    publicUrl,
    inboundMxHost,
    spfInclude,
    validateResponses,
    jsonBodyLimit,
    bulkBodyLimit,
    smtpUrl,
    mailFrom,
    resendMinIntervalSeconds,
    resendCapPer24h,
    confirmTokenTtlHours,
    dnsServers,
    dnsTimeoutMs,
    domainVerifyGraceMs,
    domainRecheckIntervalMs,
    validationRetentionMs,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    dbPoolMax,
    dbStartupTimeoutMs,
    dbQueryTimeoutMs,
    validation,
    webhooks,
    workers,
    validationLeaseMs,
    mailQuotaPerHour,
    rateLimits,
    corsOrigins,
    trustProxy,
    http,
    logLevel,
    metrics,
    migrateOnStart,
  };
}

/**
 * A host as EHLO and MAIL FROM name it: a domain as it is, an IP address as an address literal
 * (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
 */
export function identityOf(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const version = isIP(bare);
  return version === 4 ? `[${bare}]` : version === 6 ? `[IPv6:${bare}]` : host;
}

/** Whether mail hosts will take `heloName` as a name: a fully-qualified domain (a dot, not an address literal). */
export function isQualifiedName(heloName: string): boolean {
  return heloName.includes(".") && !heloName.startsWith("[");
}

/** A URL's password never reaches the log, even in a value that was rejected. */
const withoutPassword = (raw: string) => raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^@/\s]*@/i, "$1:***@");

function socksProxy(raw: string): SocksProxy | undefined {
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  const port = Number(url.port);
  if (
    url.protocol !== "socks5:" ||
    !url.hostname ||
    !(port > 0) ||
    (url.pathname !== "" && url.pathname !== "/") ||
    url.search ||
    url.hash
  )
    return undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    ...(url.username && { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }),
  };
}

function httpUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.search && !url.hash ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** `120/60s`, `20/1h`, `1200/1m`, or `off` (null). */
function budget(raw: string): Budget | null | undefined {
  if (/^off$/i.test(raw)) return null;
  const match = /^(\d+)\/(\d+)(h|m|s)$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) return undefined;
  return {
    points: Number(match[1]),
    windowSeconds: Number(match[2]) * { h: 3600, m: 60, s: 1 }[match[3] as "h" | "m" | "s"],
  };
}

/** Origins exactly as browsers send them: scheme, host and port, no path. */
function origins(raw: string): string[] | undefined {
  const list = raw
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const valid = list.every((o) => URL.canParse(o) && new URL(o).origin === o && /^https?:$/.test(new URL(o).protocol));
  return valid ? list : undefined;
}

/** `72h`, `30m`, `90s` or a bare number of hours, in milliseconds. */
function duration(raw: string): number | undefined {
  const match = /^(\d+)(d|h|m|s)?$/.exec(raw);
  if (!match) return undefined;
  const unit = (match[2] ?? "h") as "d" | "h" | "m" | "s";
  return Number(match[1]) * { d: 86_400_000, h: 3600_000, m: 60_000, s: 1000 }[unit];
}

function bool(raw: string): boolean | undefined {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  return undefined;
}

/** The SQLite file inside DATA_DIR. */
export const sqliteFile = (config: Pick<Config, "dataDir">) => join(config.dataDir, "mailproof.sqlite");

/** The configuration, or the list of bad values on stderr and exit code 2 (for the entry points). */
export function configOrExit(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
