import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { answers, startLoggedServer, startProcess, startServerAt } from "../support/processes.js";

// On SQLite one API process serves a store (its request budgets live in its memory): a second one
// on the same data directory refuses to start, and the lock ends with the process, however it ends.
const exec = promisify(execFile);

describe("one API process per SQLite store", () => {
  it("a second API process on the same DATA_DIR refuses to start; once the first is killed, one starts", async () => {
    const first = await startLoggedServer({ DATABASE_URL: "" });
    const port = await freePort();
    const env: Record<string, string> = { ...first.env, DATABASE_URL: "", PORT: String(port) };
    try {
      const second = await exec("node", ["dist/main.js"], { env: { ...process.env, ...env }, timeout: 30_000 }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `mailproof failed to start: another mailproof API process serves ${first.dataDir}`,
      );
      expect(await answers(`http://127.0.0.1:${port}/healthz`).catch(() => false)).toBe(false);
      // The first still serves, and a worker process and the CLIs still share its store.
      expect(await answers(`${first.url}/healthz`)).toBe(true);
      const worker = await startProcess(
        "node",
        ["dist/worker-main.js"],
        async (out) => out.includes("validation worker"),
        {
          name: "worker",
          env: first.env,
        },
      );
      await worker.stop();
      const keys = await exec("node", ["dist/cli/keys.js", "list"], { env: { ...process.env, ...env } });
      expect(keys.stdout).toContain("default");
    } finally {
      // Killed, not stopped: nothing of the process runs to let go of the lock.
      await first.stop("SIGKILL");
    }
    const after = await startServerAt(`http://127.0.0.1:${port}`, env, "after");
    await after.stop();
  }, 60_000);
});
