// bench/api/profile: where a request's CPU time goes. Starts the built server (as `npm start`
// runs it, response validation off) under `node --cpu-prof`, loads it with wrk for the workload
// named (GET /v1/destinations/{id} or POST /v1/destinations), stops it and prints the top frames
// by self time, from the profile V8 wrote.
//
//   npm run bench:profile -- get      (or post; BENCH_DURATION=10s by default)
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildServer } from "../../test/support/real-server.js";
import { createDestination, startBuiltServer } from "./servers.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const workload = process.argv[2] === "post" ? "post" : "get";
const duration = process.env.BENCH_DURATION ?? "10s";

async function main(): Promise<void> {
  await buildServer();
  const profileDir = mkdtempSync(join(tmpdir(), "mailproof-prof-"));
  const server = await startBuiltServer("dist/main.js", ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
  const { baseUrl } = server;
  const auth = `Authorization: Bearer ${server.apiKey}`;
  const id = await createDestination(baseUrl, server.apiKey);
  const args =
    workload === "get"
      ? [`${baseUrl}/v1/destinations/${id}`]
      : ["-s", "bench/api/post.lua", `${baseUrl}/v1/destinations`, "--", `prof-${Date.now()}`];
  // Not execFileSync: this process must keep draining the server's stderr pipe (its access lines),
  // or the server stalls on a full pipe and the profile shows the stall.
  const run = promisify(execFile);
  await run("wrk", ["-t1", "-c20", "-d2s", "-H", auth, ...args.map((a) => a.replace(/^prof-/, "warm-"))]);
  const { stdout: out } = await run("wrk", ["-t1", "-c20", `-d${duration}`, "-H", auth, ...args]);
  await server.process.stop();
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  // The mail thread and the checkpointer write profiles of their own: the request thread's is the largest.
  const file = readdirSync(profileDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ f, size: statSync(join(profileDir, f)).size }))
    .sort((a, b) => b.size - a.size)[0]!.f;
  const profile = JSON.parse(readFileSync(join(profileDir, file), "utf8")) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const bySelf = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const owner = ownerOf(node.callFrame);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + (node.hitCount ?? 0));
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/dist\//, "dist/")}:${lineNumber + 1}`
      : "";
    const name = `${functionName || "(anonymous)"} ${where}`.trim();
    bySelf.set(name, (bySelf.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  const top = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 20);
  process.stdout.write(`${workload.toUpperCase()}: ${rps} req/s under the profiler; top frames by self time:\n`);
  for (const [name, hits] of top) process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  process.stdout.write("self time by owner (the package, mailproof's own code, Node.js, or native work):\n");
  const owners = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 14);
  for (const [name, hits] of owners)
    process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
}

/** Who a frame's code belongs to: an npm package, mailproof (dist/), Node.js, or a native frame by name. */
function ownerOf({ functionName, url }: ProfileNode["callFrame"]): string {
  if (url.includes("node_modules/")) return url.replace(/^.*node_modules\//, "").split("/")[0]!;
  if (url.includes("/dist/")) return "mailproof";
  if (url.startsWith("node:") || (url !== "" && !url.startsWith("file:"))) return "Node.js";
  return functionName || "(native)";
}

await main();
