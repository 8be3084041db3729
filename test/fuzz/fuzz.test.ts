import { readFileSync } from "node:fs";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer } from "../support/dns-server.js";
import { type Operation, operations, validateBody, validatorAt } from "../support/openapi.js";
import { startRealServer } from "../support/real-server.js";
import { type FuzzRequest, rawRequestArbitrary, requestArbitrary } from "./requests.js";

// Requests generated from the bundled contract (fast-check), sent to the real server as built
// for `npm start`: boundary lengths, wrong types, unicode, duplicated and unknown parameters, odd
// content types, and raw request heads that are not quite HTTP. Whatever comes in, the answer
// is documented for its operation, is never a 5xx, and a problem body is a valid Problem. Seeded:
// FUZZ_SEED=<n> replays a run (fast-check prints the seed and path of a failure); FUZZ_RUNS sets
// the number of HTTP requests (the raw ones are a fifth of that).
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 4200);

let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof startRealServer>>;
let ids: string[] = [];

beforeAll(async () => {
  dns = await startDnsServer();
  // dist/ was built by the global setup (building again here would pull client/dist away from
  // the CLI tests running beside this file).
  server = await startRealServer(
    {
      DNS_SERVERS: dns.server,
      DNS_TIMEOUT_MS: "300",
      VALIDATION_SMTP_PROBE: "false",
      EMAIL_CHECK_TIMEOUT_MS: "1000",
      BULK_BODY_LIMIT: "200kb",
    },
    dns.zoneDir,
  );
  const post = async (path: string, json: unknown) => {
    const response = await fetch(server.server.baseUrl + path, {
      method: "POST",
      headers: { authorization: `Bearer ${server.server.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(json),
    });
    return (await response.json()) as { id: string };
  };
  // Real ids, so that part of the traffic reaches existing resources.
  const domain = await post("/v1/mailbox-domains", { domain: "fuzz-acme.com" });
  ids = [
    (await post("/v1/destinations", { email: "fuzz@acme-logistics.com" })).id,
    domain.id,
    (await post("/v1/sender-identities", { domain_id: domain.id, name: "Fuzz", email: "fuzz@fuzz-acme.com" })).id,
    (await post("/v1/email-validations", { emails: ["a@fuzz-acme.com", "nope"] })).id,
  ];
  process.stdout.write(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)\n`);
}, 120_000);
afterAll(async () => {
  await server?.process.stop();
  await dns?.close();
});

const templates = operations.map((op) => ({
  op,
  pattern: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
}));

/**
 * The statuses a request may get: its operation's documented ones, or what the contract says of
 * paths and methods it lacks.
 */
function allowedFor(method: string, pathname: string): { op: Operation | undefined; statuses: number[] } {
  const m = method === "HEAD" ? "GET" : method;
  const matching = templates.filter((t) => t.pattern.test(pathname));
  const op = matching.find((t) => t.op.method === m)?.op;
  if (op) return { op, statuses: op.statuses };
  const api = pathname.startsWith("/v1/") || pathname === "/v1";
  // No such path (404) or method (405, with Allow); under /v1 authentication and budgets come first.
  return { op: undefined, statuses: [400, 404, 405, ...(api || matching.length > 0 ? [401, 429] : [])] };
}

const problem = validatorAt("/components/schemas/Problem");

async function check(request: FuzzRequest): Promise<void> {
  const url = new URL(server.server.baseUrl + request.path + (request.query ? `?${request.query}` : ""));
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const what = `${request.method} ${url.pathname}${url.search} -> ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, what).toBeLessThan(500);
  const { op, statuses } = allowedFor(request.method, url.pathname);
  expect(statuses, what).toContain(response.status);
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (request.method === "HEAD" || text === "") return;
  if (op)
    expect(
      validateBody(op.operationId, response.status, type, type.endsWith("json") ? JSON.parse(text) : text),
      what,
    ).toEqual([]);
  if (type === "application/problem+json")
    expect(problem(JSON.parse(text)), `${what}\n${JSON.stringify(problem.errors)}`).toBe(true);
}

/** Sends a raw request head; resolves with the status line's code (or null when the server only closed). */
function rawExchange(request: string): Promise<{ status: number | null; text: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(server.server.baseUrl).port), "127.0.0.1");
    let text = "";
    const done = () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]) || null, text });
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on("data", (d) => {
      text += d.toString("latin1");
      // One answer is enough; a keep-alive connection would otherwise stay open.
      if (/\r\n\r\n/.test(text)) socket.end();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      done();
    });
    socket.write(Buffer.from(request, "latin1"));
    socket.end();
  });
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

describe("fuzzing the API from its contract", () => {
  it(`${RUNS} generated requests: every answer documented, never a 5xx, every problem valid`, async () => {
    await fc.assert(fc.asyncProperty(requestArbitrary(ids, server.server.apiKey), check), {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: true,
    });
  }, 600_000);

  it(`${Math.round(RUNS / 5)} raw request heads: any answer a problem, never a 5xx; the process lives`, async () => {
    await fc.assert(
      fc.asyncProperty(rawRequestArbitrary, async (request) => {
        const { status, text } = await rawExchange(request);
        if (status === null) return;
        expect(status, text.slice(0, 300)).toBeLessThan(500);
        // The first answer only (trailing bytes may have been read as a second request).
        const start = text.indexOf("\r\n\r\n") + 4;
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, start))?.[1] ?? text.length);
        const body = text.slice(start, start + length);
        if (/content-type: application\/problem\+json/i.test(text) && body.trim().startsWith("{"))
          expect(problem(JSON.parse(body)), body).toBe(true);
      }),
      { seed: SEED, numRuns: Math.round(RUNS / 5), endOnFailure: true },
    );
  }, 600_000);

  it("the server is alive and its memory bounded afterwards", async () => {
    const health = await fetch(`${server.server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const pid = server.process.process.pid!;
    expect(server.process.process.exitCode).toBeNull();
    expect(rssMb(pid)).toBeLessThan(400);
  });
});
