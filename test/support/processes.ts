import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { testServerEnv } from "./real-server.js";

export interface Started {
  process: ChildProcess;
  /** What the process printed so far (the last 8,000 characters). */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a command and resolves once `ready()` says so; the output is kept for the error message. */
export async function startProcess(
  command: string,
  args: string[],
  ready: (output: string) => Promise<boolean>,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; name: string },
): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
    if (await ready(output).catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${options.name} did not become ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    });
  return { process: child, output: () => output, stop };
}

export async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.status < 500;
}

/** `npm start` as a process of its own on exactly `env` (its PORT and DATA_DIR included), once it answers at `url`. */
export function startServerAt(url: string, env: Record<string, string>, name = "server"): Promise<Started> {
  return startProcess(
    "node",
    ["dist/main.js"],
    async (output) => output.includes("mailproof is listening") && (await answers(`${url}/healthz`)),
    { name, env },
  );
}

/** `npm start` as a process of its own on `env` (a free port and a fresh data directory added). */
export async function startApiProcess(
  env: Record<string, string>,
  name = "api",
): Promise<{ url: string; started: Started }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = await startServerAt(
    url,
    { ...env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-api-")) },
    name,
  );
  return { url, started };
}

/** `dist/worker-main.js` as a process of its own on `env` (a fresh data directory added), once its worker runs. */
export function startWorkerProcess(env: Record<string, string>, name = "worker"): Promise<Started> {
  return startProcess("node", ["dist/worker-main.js"], async (output) => output.includes("validation worker"), {
    name,
    env: { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-worker-")) },
  });
}

/**
 * `npm start` as an operator runs it, with the test settings and `env`: stdout and stderr go to
 * files in its data directory (the whole log, for tests that read it), and its first key is read
 * from the banner.
 */
export async function startLoggedServer(env: Record<string, string> = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "mailproof-logged-"));
  const logFile = join(dataDir, "stderr.log");
  const stdoutFile = join(dataDir, "stdout.log");
  const stderr = openSync(logFile, "a");
  const stdout = openSync(stdoutFile, "a");
  const child = spawn("node", ["dist/main.js"], {
    env: { ...process.env, ...testServerEnv(dataDir, port), ...env },
    stdio: ["ignore", stdout, stderr],
  });
  closeSync(stderr);
  closeSync(stdout);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  // The banner (with the first key) is written once the server is ready to answer.
  const ready = async () =>
    readFileSync(stdoutFile, "utf8").includes("mailproof is listening") &&
    (await answers(`${url}/healthz`).catch(() => false));
  while (!(await ready())) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the server did not start:\n${readFileSync(logFile, "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = /API key: (\S+)/.exec(readFileSync(stdoutFile, "utf8"))?.[1] ?? "";
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  };
  return { url, key, dataDir, logFile, child, env: { ...testServerEnv(dataDir, port), ...env }, stop };
}
