import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

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
});
