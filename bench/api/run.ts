// bench/api: requests per second and p50/p99 latency of GET /v1/destinations/{id} and
// POST /v1/destinations, on the full stack (auth + request validation + SQLite store) with
// response validation off (production) and on, against bare Express and the Prism mock.
// All targets are measured in one run on this machine, with `wrk -t1 -c20`, in rounds: each
// endpoint's targets in turn, BENCH_ROUNDS times (3), BENCH_DURATION each (5s); the median round is
// reported, and each round's ratios to bare Express and Prism with their median.
// (This machine's own speed drifts over minutes: a ratio of two runs minutes apart measured the
// drift as much as the servers.) Beside req/s, each server's CPU time per request (its process
// tree, all threads: cpu-time.ts), the cost that the ratios of req/s show through the scheduler.
//
//   npm run bench:api            (needs wrk: apt-get install -y wrk)
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:api   (mailproof on PostgreSQL)
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 ...                                   (its budgets in Redis)
import { type ChildProcess, execFile } from "node:child_process";
import { promisify } from "node:util";
import { dropRunSchemas } from "../../test/support/database.js";
import { freePort } from "../../test/support/free-port.js";
import { answers, type Started, startProcess } from "../../test/support/processes.js";
import { buildServer, startRealServer } from "../../test/support/real-server.js";
import { cpuSeconds } from "./cpu-time.js";
import { BARE_DESTINATION } from "./destination.js";
import { createDestination, startBare } from "./servers.js";

const DURATION = process.env.BENCH_DURATION ?? "5s";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = promisify(execFile);
const CONNECTIONS = "20";

interface Target {
  name: string;
  baseUrl: string;
  apiKey: string;
  destinationId: string;
  /** The server's process (the root of its tree, whose CPU time is measured). */
  process: ChildProcess;
}
interface Result {
  target: string;
  endpoint: string;
  rps: number;
  /** Every round's req/s, in the order they ran. */
  rounds: number[];
  /** The server's CPU time per request (its median over the rounds), in µs. */
  cpuUs: number;
  /** Every round's CPU µs per request, in the order they ran. */
  cpuRounds: number[];
  p50: string;
  p99: string;
  non2xx: number;
}

async function main(): Promise<void> {
  const started: Started[] = [];
  try {
    await buildServer();
    const targets: Target[] = [];
    for (const validateResponses of [false, true]) {
      // BENCH_DATABASE_URL: the mailproof servers on PostgreSQL (each on a fresh schema).
      if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
      // BENCH_REDIS_URL: their request budgets in Redis (REDIS_URL).
      const redis: Record<string, string> = process.env.BENCH_REDIS_URL
        ? { REDIS_URL: process.env.BENCH_REDIS_URL }
        : {};
      const real = await startRealServer({
        NODE_ENV: "production",
        VALIDATE_RESPONSES: String(validateResponses),
        ...redis,
      });
      started.push(real.process);

      targets.push({
        name: `mailproof, response validation ${validateResponses ? "on" : "off"}`,
        baseUrl: real.server.baseUrl,
        apiKey: real.server.apiKey,
        destinationId: await createDestination(real.server.baseUrl, real.server.apiKey),
        process: real.process.process,
      });
    }
    const bare = await startBare();
    started.push(bare.process);
    targets.push({
      name: "bare Express 5",
      baseUrl: bare.baseUrl,
      apiKey: bare.apiKey,
      destinationId: BARE_DESTINATION.id,
      process: bare.process.process,
    });
    const mockPort = await freePort();
    const mock = await startProcess(
      "node_modules/.bin/prism",
      ["mock", "generated/openapi.yaml", "--host", "127.0.0.1", "--port", String(mockPort)],
      () => answers(`http://127.0.0.1:${mockPort}/healthz`),
      { name: "prism", timeoutMs: 60_000 },
    );
    started.push(mock);
    targets.push({
      name: "Prism mock",
      baseUrl: `http://127.0.0.1:${mockPort}`,
      apiKey: "mock",
      destinationId: BARE_DESTINATION.id,
      process: mock.process,
    });

    const MIXED = "mixed 70/20/10";
    const GET = "GET /v1/destinations/{id}";
    const POST = "POST /v1/destinations";
    const rounds: Result[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Endpoint by endpoint, every target of it in turn: the rounds a ratio compares run seconds
      // apart, not half a minute (this machine's speed changed by half within one run).
      const warm = round === 0;
      // What an operator sees: the mix of reads, lists and creates, on mailproof only (the others
      // store nothing, so a list there is not a list).
      for (const target of targets.filter((t) => t.name.startsWith("mailproof"))) {
        const mixed = ["-s", "bench/api/mixed.lua", target.baseUrl, "--", target.destinationId, "PREFIX"];
        rounds.push(await wrk(target, MIXED, mixed, warm));
      }
      for (const target of targets)
        rounds.push(await wrk(target, GET, [`${target.baseUrl}/v1/destinations/${target.destinationId}`], warm));
      // Each wrk run gets its own address prefix, so no POST is a duplicate (409).
      for (const target of targets) {
        const post = ["-s", "bench/api/post.lua", `${target.baseUrl}/v1/destinations`, "--", "PREFIX"];
        rounds.push(await wrk(target, POST, post, warm));
      }
    }
    const results: Result[] = [];
    for (const endpoint of [MIXED, GET, POST])
      for (const target of targets) {
        const runs = rounds.filter((r) => r.target === target.name && r.endpoint === endpoint);
        if (runs.length > 0) results.push(median(runs));
      }
    report(results);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await dropRunSchemas();
  }
}

/**
 * wrk, run without blocking this process: the servers' stderr (their access lines) comes through
 * pipes this process must keep draining, or a full pipe stalls the server being measured.
 */
async function wrk(target: Target, endpoint: string, args: string[], warm = true): Promise<Result> {
  const common = ["-t1", `-c${CONNECTIONS}`, "--latency", "-H", `Authorization: Bearer ${target.apiKey}`];
  const withPrefix = (phase: string) => args.map((a) => (a === "PREFIX" ? `${phase}-${Date.now()}` : a));
  // Warm-up: the JIT, the validator's compile.
  if (warm) await run("wrk", [...common, "-d2s", ...withPrefix("warm")]);
  const cpuBefore = cpuSeconds(target.process.pid!);
  const { stdout: out } = await run("wrk", [...common, `-d${DURATION}`, ...withPrefix("run")]);
  const cpu = cpuSeconds(target.process.pid!) - cpuBefore;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const cpuUs = requests > 0 ? (cpu * 1e6) / requests : Number.NaN;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { target: target.name, endpoint, rps, rounds: [rps], cpuUs, cpuRounds: [cpuUs], p50, p99, non2xx };
}

/**
 * The round with the median req/s (its latencies with it), every round's req/s, the median CPU per
 * request (of its own rounds: the round with the median req/s need not have it), all non-2xx answers.
 */
const middleOf = <T>(values: T[], by: (v: T) => number) =>
  [...values].sort((a, b) => by(a) - by(b))[Math.floor((values.length - 1) / 2)]!;
const middle = (values: number[]) => middleOf(values, (v) => v);

function median(runs: Result[]): Result {
  const medianRun = middleOf(runs, (r) => r.rps);
  const cpuRounds = runs.map((r) => r.cpuUs);
  return {
    ...medianRun,
    rounds: runs.map((r) => r.rps),
    cpuUs: middle(cpuRounds),
    cpuRounds,
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

function report(results: Result[]): void {
  const rows = results.map(
    (r) =>
      `| ${r.endpoint} | ${r.target} | ${r.rps.toFixed(0)} | ${r.rounds.map((x) => x.toFixed(0)).join(", ")} ` +
      `| ${r.cpuUs.toFixed(0)} | ${r.cpuRounds.map((x) => x.toFixed(0)).join(", ")} ` +
      `| ${r.p50} | ${r.p99} | ${r.non2xx} |`,
  );
  const of = (endpoint: string, target: (name: string) => boolean) =>
    results.find((r) => r.endpoint === endpoint && target(r.target))!;
  const lines = [
    "| endpoint | target | req/s | rounds | CPU µs/req | rounds | p50 | p99 | non-2xx |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    ...(
      [
        ["GET /v1/destinations/{id}", 70, 3],
        ["POST /v1/destinations", 45, 2],
      ] as const
    ).flatMap(([e, bare, prism]) => {
      const full = of(e, (name) => name.endsWith("off"));
      const express = of(e, (name) => name === "bare Express 5");
      const mock = of(e, (name) => name === "Prism mock");
      // Each round's ratio, of two targets measured seconds apart, and their median: the ratio of
      // the medians can pair rounds of different speeds of the machine.
      const paired = (other: Result) => full.rounds.map((rps, i) => rps / other.rounds[i]!);
      const percent = (ratios: number[]) => ratios.map((r) => (r * 100).toFixed(0)).join(", ");
      const times = (ratios: number[]) => ratios.map((r) => r.toFixed(1)).join(", ");
      const toExpress = paired(express);
      const toMock = paired(mock);
      return [
        `- ${e}: full stack (response validation off) = ${((full.rps / express.rps) * 100).toFixed(0)} ` +
          `% of bare Express (target ≥ ${bare} %), ${(full.rps / mock.rps).toFixed(1)}× Prism (target ≥ ${prism}×)`,
        `  round by round: ${percent(toExpress)} % of bare Express (median ${percent([middle(toExpress)])} %), ` +
          `${times(toMock)}× Prism (median ${times([middle(toMock)])}×)`,
        // The same comparison by what a request costs: bare Express's CPU per request over the full stack's.
        `  by CPU per request: ${full.cpuUs.toFixed(0)} µs against bare Express's ${express.cpuUs.toFixed(0)} µs ` +
          `(${((express.cpuUs / full.cpuUs) * 100).toFixed(0)} %) and Prism's ${mock.cpuUs.toFixed(0)} µs ` +
          `(${(mock.cpuUs / full.cpuUs).toFixed(1)}×)`,
      ];
    }),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
