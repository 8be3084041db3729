import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseEnv } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { confirmationPath, latestOutboxPath, outboxMails } from "../support/mail.js";
import { mxServer } from "../support/mx-server.js";
import { startLoggedServer, startProcess } from "../support/processes.js";

// What an operator reads: the log lines a real `npm start` process writes (stderr to a file), the
// metrics Prometheus would scrape (parsed with a Prometheus text-format parser), and /healthz.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let mx: Awaited<ReturnType<typeof mxServer>>;
let refusing: Awaited<ReturnType<typeof mxServer>>;
let url: string;
let key: string;
let logFile: string;
let dataDir: string;
let child: ChildProcess;
let serverEnv: Record<string, string>;

beforeAll(async () => {
  dns = await startDnsServer();
  const smtpPort = await freePort();
  mx = await mxServer({ host: "127.0.0.9", port: smtpPort, mailboxes: { "ana@ops-mail.test": "accept" } });
  refusing = await mxServer({ host: "127.0.0.19", port: smtpPort, mailboxes: {}, refuseSender: 553 });
  dns.publish("refuses-us.test", { MX: [{ priority: 10, exchange: "mx.refuses-us.test" }] });
  dns.publish("mx.refuses-us.test", { A: ["127.0.0.19"] });
  dns.publish("ops-mail.test", { MX: [{ priority: 10, exchange: "mx.ops-mail.test" }] });
  dns.publish("mx.ops-mail.test", { A: ["127.0.0.9"] });
  ({
    url,
    key,
    dataDir,
    logFile,
    child,
    env: serverEnv,
  } = await startLoggedServer({
    ...(await freshDatabaseEnv()),
    DNS_SERVERS: dns.server,
    VALIDATION_SMTP_PORT: String(smtpPort),
    VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
    VALIDATION_GREYLIST_RETRY_MS: "0",
    DOMAIN_RECHECK_INTERVAL: "0",
  }));
}, 60_000);
afterAll(async () => {
  if (child.exitCode === null) {
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
  }
  await mx.close();
  await refusing.close();
  await dns.close();
});

interface Line {
  level: string;
  msg: string;
  [field: string]: unknown;
}
const logLines = (): Line[] =>
  readFileSync(logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
/** The lines once `match` finds one (the log is written asynchronously). */
async function logged(match: (line: Line) => boolean): Promise<Line[]> {
  await expect.poll(() => logLines().some(match), { timeout: 10_000 }).toBe(true);
  return logLines().filter(match);
}

const call = (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body !== undefined && { "content-type": "application/json" }),
      ...init.headers,
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });

/**
 * One scrape: a function from a series name (and labels) to its value, summed over matching
 * series. (The parser flattens a histogram's label sets into one; a histogram reads as the
 * count of its +Inf bucket.)
 */
async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await response.text());
  return (name, labels = {}) => {
    const family = families.find((f) => f.name === name);
    if (family?.type === "HISTOGRAM") return Number(family.metrics[0]?.buckets?.["+Inf"] ?? 0);
    const series = family?.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return (series ?? []).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
  };
}

describe("an operator's view of a running server", () => {
  it("logs one access line per request with its route template, status, account and request id", async () => {
    const created = await call("POST", "/v1/destinations", {
      body: { email: "ana@ops-mail.test" },
      headers: { "x-request-id": "ops-check-201" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBe("ops-check-201");
    const destination = (await created.json()) as { id: string };

    const unauthorized = await fetch(`${url}/v1/destinations`, { headers: { "x-request-id": "ops-check-401" } });
    expect(unauthorized.status).toBe(401);
    expect(((await unauthorized.json()) as { request_id: string }).request_id).toBe("ops-check-401");

    // A malformed id is not echoed (it could inject into logs): the server makes its own.
    const invalid = await call("POST", "/v1/destinations", {
      body: { email: "not an address" },
      headers: { "x-request-id": 'two words; and a quote"' },
    });
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { request_id: string };
    expect(problem.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(invalid.headers.get("x-request-id")).toBe(problem.request_id);

    const lines = await logged((l) => l.msg === "request" && l.request_id === problem.request_id);
    expect(lines[0]).toMatchObject({ method: "POST", route: "/v1/destinations", status: 422 });
    const [ok] = await logged((l) => l.request_id === "ops-check-201" && l.msg === "request");
    expect(ok).toMatchObject({
      level: "info",
      method: "POST",
      route: "/v1/destinations",
      status: 201,
      account_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      pid: child.pid,
      hostname: expect.any(String),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      duration_ms: expect.any(Number),
    });
    const [denied] = await logged((l) => l.request_id === "ops-check-401" && l.msg === "request");
    expect(denied).toMatchObject({ status: 401, route: "/v1/destinations", account_id: null });

    // The mail: which resource, where it went; the confirmation page by its template only.
    const [mailed] = await logged((l) => l.msg === "confirmation mail written to the outbox");
    expect(mailed).toMatchObject({ resource_type: "destination", resource_id: destination.id });
    const page = await fetch(url + (await latestOutboxPath(dataDir, "ana@ops-mail.test")));
    expect(page.status).toBe(200);
    await logged((l) => l.msg === "request" && l.route === "/confirm/{token}" && l.status === 200);
  });

  it("logs a job's life: created, started, completed with its counts and duration", async () => {
    const first = await scrape();
    const job = (await (
      await call("POST", "/v1/email-validations", {
        body: { emails: ["ana@ops-mail.test", "nobody@ops-mail.test", "bo@no-such-domain.test"] },
      })
    ).json()) as { id: string };
    const [completed] = await logged((l) => l.msg === "validation job completed" && l.validation_id === job.id);
    expect(completed).toMatchObject({ total: 3, deliverable: 1, undeliverable: 2, duration_ms: expect.any(Number) });
    await logged((l) => l.msg === "validation job created" && l.validation_id === job.id && l.total === 3);
    await logged((l) => l.msg === "validation job started" && l.validation_id === job.id);

    const second = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => second(name, labels) - first(name, labels);
    expect(moved("mailproof_addresses_validated_total", { result: "deliverable" })).toBe(1);
    expect(moved("mailproof_addresses_validated_total", { result: "undeliverable" })).toBe(2);
    expect(moved("mailproof_smtp_probe_replies_total", { class: "2xx" })).toBeGreaterThan(0);
    expect(moved("mailproof_smtp_probe_replies_total", { class: "5xx" })).toBeGreaterThan(0);
    expect(moved("mailproof_validation_chunk_claims_total", { kind: "new" })).toBeGreaterThan(0);
    expect(moved("mailproof_validation_jobs", { state: "completed" })).toBe(1);
    expect(moved("mailproof_http_requests_total", { route: "/v1/email-validations", status: "202" })).toBe(1);
    expect(second("mailproof_validation_chunks", { state: "queued" })).toBe(0);
    expect(second("mailproof_http_request_duration_seconds")).toBeGreaterThan(0);
    expect(second("mailproof_mail_deliveries_total", { outcome: "outbox" })).toBeGreaterThan(0);
    // prom-client's process metrics, under the same prefix.
    expect(second("mailproof_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("logs a mail host that refuses the probe's sender, with its reply; the result says so", async () => {
    const checked = (await (
      await call("POST", "/v1/email-checks", { body: { email: "ana@refuses-us.test" } })
    ).json()) as {
      result: string;
      reason: string;
    };
    expect(checked).toMatchObject({ result: "unknown", reason: "smtp_sender_refused" });
    const [line] = await logged((l) => l.msg.startsWith("a mail host refused the probe's sender"));
    expect(line).toMatchObject({ level: "warn", mail_host: "127.0.0.19", reply: expect.stringMatching(/^553 /) });
    // And /healthz says so, for the hour that follows.
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({
      status: "degraded",
      checks: { store: "ok", mail: "ok", probe: "sender_refused" },
    });
  });

  it("reports worker liveness and the queue in /healthz", async () => {
    const health = (await (await fetch(`${url}/healthz`)).json()) as {
      status: string;
      workers: { alive: number; last_heartbeat_at: string };
      queue: { queued_chunks: number; running_chunks: number; oldest_queued_at: string | null };
    };
    expect(health.workers.alive).toBeGreaterThanOrEqual(1);
    expect(Date.now() - Date.parse(health.workers.last_heartbeat_at)).toBeLessThan(60_000);
    expect(health.queue).toEqual({ queued_chunks: 0, running_chunks: 0, oldest_queued_at: null });
  });

  it("a worker process serves its own /metrics (behind the token) and counts in the API's /healthz", async () => {
    const port = await freePort();
    const worker = await startProcess(
      "node",
      ["dist/worker-main.js"],
      async () => (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null)) !== null,
      { name: "worker", env: { ...serverEnv, METRICS_PORT: String(port), METRICS_TOKEN: "a-token-for-prometheus" } },
    );
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: "Bearer a-token-for-prometheus" },
      });
      expect(scraped.status).toBe(200);
      const families = parsePrometheusTextFormat(await scraped.text()).map((f) => f.name);
      expect(families).toEqual(
        expect.arrayContaining(["mailproof_validation_chunks", "mailproof_process_resident_memory_bytes"]),
      );
      await expect
        .poll(
          async () => ((await (await fetch(`${url}/healthz`)).json()) as { workers: { alive: number } }).workers.alive,
        )
        .toBe(2);
    } finally {
      await worker.stop();
    }
    // A worker that stops says so: it is no longer counted.
    await expect
      .poll(
        async () => ((await (await fetch(`${url}/healthz`)).json()) as { workers: { alive: number } }).workers.alive,
      )
      .toBe(1);
  });

  it("writes no key, token or whole address in any line, and logs its shutdown steps", async () => {
    const mails = await outboxMails(dataDir);
    const tokens = mails.map((m) => confirmationPath(m).split("/").pop()!);
    expect(tokens.length).toBeGreaterThan(0);
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    const text = readFileSync(logFile, "utf8");
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(8)); // not even without its prefix
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/ana@ops-mail\.test|nobody@ops-mail\.test|bo@no-such-domain\.test/);
    const messages = logLines().map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(["shutting down", "shutdown: store closed", "shut down"]));
    // PUBLIC_URL names an IP here: the probe says EHLO [127.0.0.1], and start-up warned about it.
    expect(logLines().find((l) => /VALIDATION_HELO_NAME is not a fully-qualified/.test(l.msg))).toMatchObject({
      level: "warn",
      helo_name: "[127.0.0.1]",
      mail_from: "verify@[127.0.0.1]",
    });
  });
});
