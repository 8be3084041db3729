import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, answers } from "../test/support/processes.ts";
const port = 18080 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
const server = await startProcess("node", [...(process.env.PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof202"] : []), "dist/main.js"], async (o) => o.includes("API key") && (await answers(`${base}/healthz`)), { name: "s", env: { NODE_ENV: "production", PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), "p202-")), WORKERS: process.env.W ?? "1", DOMAIN_RECHECK_INTERVAL: "0", DNS_SERVERS: "127.0.0.1:1" } });
const key = /API key: (\S+)/.exec(server.output())![1]!;
for (let k = 0; k < 3; k++) {
  const emails = Array.from({ length: 100000 }, (_, i) => `${i % 10 < 6 ? "ok" : "no"}-${k}-${Math.floor(i / 1000)}@d${i % 1000}.bench.test`);
  const body = JSON.stringify({ emails });
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/email-validations`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
  await r.text();
  console.log(r.status, ((performance.now() - t0) / 1000).toFixed(2), "s");
  await new Promise((r) => setTimeout(r, 3000));
}
await server.stop();
