import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

describe("start-up", () => {
  // dist/ is built by the test setup, as `npm start` builds it.
  it("npm start stops with the message, not a stack trace, on a bad value", async () => {
    const run = promisify(execFile);
    const failure = await run("node", ["dist/main.js"], {
      env: { ...process.env, PORT: "99999", DATA_DIR: "/tmp/mailproof-never" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('PORT="99999": expected a port number 0-65535');
    expect((failure as { stderr: string }).stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("a second server on a taken port exits 1 saying so (it used to stay up without a socket)", async () => {
    const taken = new URL(inject("server").baseUrl).port;
    const run = promisify(execFile);
    const failure = await run("node", ["dist/main.js"], {
      env: {
        ...process.env,
        PORT: taken,
        HOST: "127.0.0.1",
        DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-taken-")),
      },
      timeout: 15_000,
    }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(`127.0.0.1:${taken} is already in use`);
    expect((failure as { stdout: string }).stdout).not.toContain("listening");
  });
});
