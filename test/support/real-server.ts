import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freshDatabaseEnv } from "./database.js";
import { freePort } from "./free-port.js";
import { answers, type Started, startProcess } from "./processes.js";
import type { RealServer } from "./targets.js";

const run = promisify(execFile);

/** `npm run build`: what `npm start` runs is what the tests run. */
export async function buildServer(): Promise<void> {
  await run("npm", ["run", "-s", "build"]);
  // The client package too: its CLI (dist/cli.cjs) is run as users run it.
  await run("npm", ["run", "-s", "build:client"]);
}

/** Settings the tests run the server with; each is an ordinary environment variable. */
export function testServerEnv(dataDir: string, port: number): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    VALIDATE_RESPONSES: "true",
    // Small enough that the contract's 300 KB body is over it on the bulk endpoint too.
    BULK_BODY_LIMIT: "200kb",
    INBOUND_MX_HOST: "inbound.mailproof.test",
    SPF_INCLUDE: "spf.mailproof.test",
    // No minimum interval, so the contract suite can resend at once; the 24-hour cap stays 5.
    RESEND_MIN_INTERVAL_SECONDS: "0",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // The suites share one server and one key: budgets that they never reach. The limits
    // themselves are tested on servers of their own, with small budgets.
    RATE_LIMIT_READS: "1000000/60s",
    RATE_LIMIT_WRITES: "1000000/60s",
    RATE_LIMIT_CHECKS: "1000000/60s",
    RATE_LIMIT_BULK: "1000000/60s",
    RATE_LIMIT_PUBLIC: "1000000/60s",
    RATE_LIMIT_AUTH_FAILURES: "1000000/60s",
    MAIL_QUOTA_PER_HOUR: "off",
  };
}

/**
 * Starts the built server as `npm start` does (call buildServer first), on a fresh data directory,
 * and reads the key the first start prints; a second account's key comes from the keys CLI, as an
 * operator would do it.
 */
export async function startRealServer(
  overrides: Record<string, string> = {},
  dnsZoneDir = "",
): Promise<{ server: RealServer; process: Started }> {
  const dataDir = mkdtempSync(join(tmpdir(), "mailproof-test-"));
  const port = await freePort();
  const env = { ...testServerEnv(dataDir, port), ...(await freshDatabaseEnv()), ...overrides };
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = await startProcess(
    "node",
    ["dist/main.js"],
    async (output) => /API key: \S+/.test(output) && (await answers(`${baseUrl}/healthz`)),
    {
      name: "mailproof server",
      env,
    },
  );
  const apiKey = /API key: (\S+)/.exec(started.output())![1]!;
  const otherApiKey = await createKey(env, "other-account");
  return { server: { kind: "server", baseUrl, apiKey, otherApiKey, dataDir, env, dnsZoneDir }, process: started };
}

/** `npm run keys -- create --account <name>`, returning the key it prints. */
export async function createKey(env: Record<string, string>, account: string): Promise<string> {
  const { stdout } = await keysCli(env, ["create", "--account", account]);
  return /API key (\S+)/.exec(stdout)![1]!;
}

export function keysCli(env: Record<string, string>, args: string[]) {
  return run("node", ["dist/cli/keys.js", ...args], { env: { ...process.env, ...env } });
}
