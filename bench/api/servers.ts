// The servers the bench/api scripts start: mailproof from a built script, as `npm start` runs it
// (response validation off), and bare Express; and the destination every GET of theirs reads.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/free-port.js";
import { answers, type Started, startProcess } from "../../test/support/processes.js";
import { testServerEnv } from "../../test/support/real-server.js";
import { BARE_DESTINATION } from "./destination.js";

export interface BenchServer {
  baseUrl: string;
  apiKey: string;
  process: Started;
}

/** `node [nodeArgs] script` (dist/main.js, or a variant of it) on a free port and a fresh data directory. */
export async function startBuiltServer(script: string, nodeArgs: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...testServerEnv(mkdtempSync(join(tmpdir(), "mailproof-bench-")), port),
    NODE_ENV: "production",
    VALIDATE_RESPONSES: "false",
  };
  const started = await startProcess(
    "node",
    [...nodeArgs, script],
    async (output) => output.includes("API key") && (await answers(`${baseUrl}/healthz`)),
    { name: script, env },
  );
  return { baseUrl, apiKey: /API key: (\S+)/.exec(started.output())![1]!, process: started };
}

/** bench/api/bare.ts on a free port; it answers every GET with BARE_DESTINATION. */
export async function startBare(): Promise<BenchServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = await startProcess(
    "node_modules/.bin/tsx",
    ["bench/api/bare.ts"],
    () => answers(`${baseUrl}/v1/destinations/${BARE_DESTINATION.id}`),
    { name: "bare express", env: { PORT: String(port) } },
  );
  return { baseUrl, apiKey: "none", process: started };
}

/** Creates the destination the benchmark's GETs read; its id. */
export async function createDestination(baseUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/destinations`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ email: BARE_DESTINATION.email }),
  });
  return ((await response.json()) as { id: string }).id;
}
