// bench/api/layers: what each layer of the HTTP stack adds to a GET /v1/destinations/{id} (or a
// POST /v1/destinations), in CPU time per request. It builds variants of the bundled server
// (dist/layers-*.js, removed at the end), each answering with bare Express's JSON from a
// middleware placed before one layer of app.ts, so that a variant runs every layer before that
// one and none after; then variants that stop inside the service; the last variant is the server
// as built. Each runs as `npm start` does (response validation off), with bare Express beside
// them, in rounds (BENCH_ROUNDS, 5, of BENCH_DURATION, 3s); the table shows each variant's median
// CPU µs per request (every thread: the mail thread's work is a create's too) and what it adds
// over the one before.
//
//   npm run bench:layers              (or: npm run bench:layers -- post)
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import type { Started } from "../../test/support/processes.js";
import { cpuSeconds } from "./cpu-time.js";
import { BARE_DESTINATION } from "./destination.js";
import { createDestination, startBare, startBuiltServer } from "./servers.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = process.env.BENCH_DURATION ?? "3s";
const run = promisify(execFile);

const workload = process.argv[2] === "post" ? "post" : "get";

/** What a variant changes in the bundle: an answer placed before an anchor, or a replacement. */
type Cut = { before: string } | { within: string; replace: string; with: string } | null;

/** Where each variant answers: before the first line of app.ts (as bundled) that starts with `before`. */
const HTTP_STAGES: { layer: string; cut: Cut }[] = [
  { layer: "Node's HTTP server and Express (nothing of mailproof's)", cut: { before: "app.use(requestLog(" } },
  { layer: "request id, access line and request metrics", cut: { before: "app.use(noSniff);" } },
  { layer: "nosniff, CORS, no-store, API key", cut: { before: 'app.use("/v1", limitPerKey(' } },
  { layer: "per-key budget, page mounts, request hygiene, JSON bodies", cut: { before: "app.use(contractValidator(" } },
  { layer: "contract validator (request validation)", cut: { before: "app.post(CREATING_POSTS," } },
];
/** The service's answer in the variants that stop inside it: bare Express's JSON. */
const ANSWER = `return ${JSON.stringify(BARE_DESTINATION)};`;
const STAGES: { layer: string; cut: Cut }[] =
  workload === "get"
    ? [
        ...HTTP_STAGES,
        {
          layer: "idempotency, dispatch, handler (reads replaced by a constant)",
          cut: {
            within: "// server/destinations/service.ts",
            replace: "async get(accountId, id) {\n",
            with: `async get(accountId, id) {\n    ${ANSWER}\n`,
          },
        },
        { layer: "the two store reads and the send summary", cut: null },
      ]
    : [
        ...HTTP_STAGES,
        {
          layer: "idempotency, dispatch, handler (the service answers a constant)",
          cut: {
            within: "// server/destinations/service.ts",
            replace: "async create(accountId, email) {\n",
            with: `async create(accountId, email) {\n    ${ANSWER}\n`,
          },
        },
        {
          layer: "the transaction: caps, insert, send record and token, commit",
          cut: {
            within: "// server/confirmations/service.ts",
            replace: "    this.mailer.send(",
            with: "    if (false) this.mailer.send(",
          },
        },
        { layer: "the mail: handed to the mail thread, composed, written to the outbox", cut: null },
      ];

interface Server {
  name: string;
  url: string;
  apiKey: string;
  process: Started;
}

async function main(): Promise<void> {
  await run("npm", ["run", "-s", "build"]);
  const bundle = readFileSync("dist/main.js", "utf8");
  const answer =
    workload === "get"
      ? 'app.use((req, res, next) => req.method === "GET" && req.path.startsWith("/v1/destinations/") ? ' +
        `res.json(${JSON.stringify(BARE_DESTINATION)}) : next());\n  `
      : 'app.use((req, res, next) => req.method === "POST" && req.path === "/v1/destinations" ? ' +
        `res.status(201).json(${JSON.stringify(BARE_DESTINATION)}) : next());\n  `;
  const variants = STAGES.map(({ cut }, i) => {
    if (cut === null) return "dist/main.js";
    const file = `dist/layers-${i}.js`;
    writeFileSync(
      file,
      "before" in cut
        ? insertBefore(bundle, cut.before, answer)
        : replaceOnce(bundle, cut.within, cut.replace, cut.with),
    );
    return file;
  });
  const servers: Server[] = [];
  try {
    const bare = await startBare();
    const path = workload === "get" ? `/v1/destinations/${BARE_DESTINATION.id}` : "/v1/destinations";
    servers.push({ ...bare, name: "bare", url: `${bare.baseUrl}${path}` });
    for (const [i, file] of variants.entries()) servers.push(await startMailproof(`${i}`, file));
    const cpu = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const server of servers) {
        const common = (tag: string) => [
          "-t1",
          "-c20",
          "-H",
          `Authorization: Bearer ${server.apiKey}`,
          // Each POST a new address (post.lua numbers them after this prefix): every one a real insert.
          ...(workload === "get" ? [server.url] : ["-s", "bench/api/post.lua", server.url, "--", tag]),
        ];
        const tag = `layers-${server.name}-${round}-${Date.now()}`;
        if (round === 0) await run("wrk", ["-d2s", ...common(`warm-${tag}`)]);
        const before = cpuSeconds(server.process.process.pid!);
        const { stdout } = await run("wrk", [`-d${DURATION}`, ...common(tag)]);
        const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
        if (/Non-2xx/.test(stdout)) throw new Error(`${server.name} answered with errors:\n${stdout}`);
        cpu.get(server.name)!.push(((cpuSeconds(server.process.process.pid!) - before) * 1e6) / requests);
      }
    report(cpu);
  } finally {
    await Promise.all(servers.map((s) => s.process.stop()));
    for (const file of variants) if (file !== "dist/main.js") rmSync(file, { force: true });
  }
}

function insertBefore(bundle: string, anchor: string, code: string): string {
  const at = bundle.indexOf(anchor);
  if (at < 0 || bundle.indexOf(anchor, at + 1) >= 0)
    throw new Error(`app.ts changed: "${anchor}" is not in dist/main.js once`);
  return bundle.slice(0, at) + code + bundle.slice(at);
}

/**
 * `from` replaced by `to` where it first comes in the module `within` names (its banner in the
 * bundle, up to the next module's): a match in a later module would measure the wrong service.
 */
function replaceOnce(bundle: string, within: string, from: string, to: string): string {
  const module = bundle.indexOf(within);
  const end = module < 0 ? -1 : bundle.indexOf("\n// server/", module + within.length);
  const at = module < 0 ? -1 : bundle.indexOf(from, module);
  if (at < 0 || (end >= 0 && at > end))
    throw new Error(`the server changed: "${from}" is not in ${within} of dist/main.js`);
  return bundle.slice(0, at) + to + bundle.slice(at + from.length);
}

async function startMailproof(name: string, file: string): Promise<Server> {
  const server = await startBuiltServer(file);
  const url =
    workload === "get"
      ? `${server.baseUrl}/v1/destinations/${await createDestination(server.baseUrl, server.apiKey)}`
      : `${server.baseUrl}/v1/destinations`;
  return { name, url, apiKey: server.apiKey, process: server.process };
}

function report(cpu: Map<string, number[]>): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const bare = median(cpu.get("bare")!);
  // Issue 18's targets: a GET at 70 % of bare Express's req/s, a create at 45 %.
  const [what, target] = workload === "get" ? ["GET", 0.7] : ["create", 0.45];
  const lines = [
    `bare Express 5: ${bare.toFixed(0)} µs CPU per ${what} (rounds: ${cpu
      .get("bare")!
      .map((v) => v.toFixed(0))
      .join(", ")}); ` + `${target * 100} % of its req/s is ${(bare / target).toFixed(0)} µs per ${what}`,
    "",
    "| up to and including | CPU µs/req | adds | rounds |",
    "|---|---:|---:|---:|",
  ];
  let previous = 0;
  for (const [i, { layer }] of STAGES.entries()) {
    const values = cpu.get(`${i}`)!;
    const value = median(values);
    const adds = i === 0 ? "" : `${value - previous >= 0 ? "+" : ""}${(value - previous).toFixed(0)}`;
    lines.push(`| ${layer} | ${value.toFixed(0)} | ${adds} | ${values.map((v) => v.toFixed(0)).join(", ")} |`);
    previous = value;
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
