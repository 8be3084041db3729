// bench/api/layers: what each layer of the HTTP stack adds to a GET /v1/destinations/{id}, in CPU
// time per request. It builds variants of the bundled server (dist/layers-*.js, removed at the
// end), each answering the GET with bare Express's JSON from a middleware placed before one layer
// of app.ts, so that a variant runs every layer before that one and none after; the last variant
// is the server as built. Each runs as `npm start` does (response validation off), with bare
// Express beside them, in rounds (BENCH_ROUNDS, 5, of BENCH_DURATION, 3s); the table shows each
// variant's median CPU µs per request and what it adds over the one before.
//
//   npm run bench:layers
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

/** Where each variant answers: before the first line of app.ts (as bundled) that starts with `before`. */
const STAGES: { layer: string; before: string | null }[] = [
  { layer: "Node's HTTP server and Express (nothing of mailproof's)", before: "app.use(requestLog(" },
  { layer: "request id, access line and request metrics", before: "app.use(noSniff);" },
  { layer: "nosniff, CORS, no-store, API key", before: 'app.use("/v1", limitPerKey(' },
  { layer: "per-key budget, page mounts, request hygiene, JSON bodies", before: "app.use(contractValidator(" },
  { layer: "contract validator (request validation)", before: "app.post(CREATING_POSTS," },
  { layer: "idempotency, dispatch, handler (reads replaced by a constant)", before: null },
  { layer: "the two store reads and the send summary", before: null },
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
    'app.use((req, res, next) => req.method === "GET" && req.path.startsWith("/v1/destinations/") ? ' +
    `res.json(${JSON.stringify(BARE_DESTINATION)}) : next());\n  `;
  const variants = STAGES.map(({ before }, i) => {
    if (i === STAGES.length - 1) return "dist/main.js";
    const file = `dist/layers-${i}.js`;
    writeFileSync(file, before ? insertBefore(bundle, before, answer) : withoutStoreReads(bundle));
    return file;
  });
  const servers: Server[] = [];
  try {
    const bare = await startBare();
    servers.push({ ...bare, name: "bare", url: `${bare.baseUrl}/v1/destinations/${BARE_DESTINATION.id}` });
    for (const [i, file] of variants.entries()) servers.push(await startMailproof(`${i}`, file));
    const cpu = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const server of servers) {
        const common = ["-t1", "-c20", "-H", `Authorization: Bearer ${server.apiKey}`, server.url];
        if (round === 0) await run("wrk", ["-d2s", ...common]);
        const before = cpuSeconds(server.process.process.pid!);
        const { stdout } = await run("wrk", [`-d${DURATION}`, ...common]);
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

/** The destinations service's get answering with the constant: everything of a GET but the store reads. */
function withoutStoreReads(bundle: string): string {
  const get = "async get(accountId, id) {\n    return this.present(await this.row(accountId, id));";
  const at = bundle.indexOf(get, bundle.indexOf("// server/destinations/service.ts"));
  if (at < 0) throw new Error("the destinations service changed: its get is not where this script looks");
  const constant = `async get(accountId, id) {\n    return ${JSON.stringify(BARE_DESTINATION)};`;
  return bundle.slice(0, at) + constant + bundle.slice(at + get.length);
}

async function startMailproof(name: string, file: string): Promise<Server> {
  const server = await startBuiltServer(file);
  const id = await createDestination(server.baseUrl, server.apiKey);
  return { name, url: `${server.baseUrl}/v1/destinations/${id}`, apiKey: server.apiKey, process: server.process };
}

function report(cpu: Map<string, number[]>): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const bare = median(cpu.get("bare")!);
  const lines = [
    `bare Express 5: ${bare.toFixed(0)} µs CPU per GET (rounds: ${cpu
      .get("bare")!
      .map((v) => v.toFixed(0))
      .join(", ")}); ` + `70 % of its req/s is ${(bare / 0.7).toFixed(0)} µs per GET`,
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
