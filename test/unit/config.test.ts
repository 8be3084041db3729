import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.js";

describe("configuration", () => {
  it("has embedded defaults for every setting", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: "127.0.0.1", publicUrl: "http://127.0.0.1:8080", validateResponses: true, jsonBodyLimit: "100kb", bulkBodyLimit: "40mb", inboundMxHost: undefined });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it("derives PUBLIC_URL from HOST and PORT, and takes an explicit one without a trailing slash", () => {
    expect(loadConfig({ HOST: "0.0.0.0", PORT: "9000" }).publicUrl).toBe("http://0.0.0.0:9000");
    expect(loadConfig({ PUBLIC_URL: "https://verify.acme-logistics.com/" }).publicUrl).toBe("https://verify.acme-logistics.com");
    expect(loadConfig({ NODE_ENV: "production" }).validateResponses).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", VALIDATE_RESPONSES: "true" }).validateResponses).toBe(true);
  });

  it("reports every bad value at once", () => {
    const error = (() => {
      try {
        loadConfig({ PORT: "eighty", PUBLIC_URL: "ftp://x", VALIDATE_RESPONSES: "maybe", INBOUND_MX_HOST: "not a host", JSON_BODY_LIMIT: "lots" });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split("=")[0])).toEqual(["PORT", "PUBLIC_URL", "INBOUND_MX_HOST", "VALIDATE_RESPONSES", "JSON_BODY_LIMIT"]);
  });

  // dist/ is built by the test setup, as `npm start` builds it.
  it("npm start stops with the message, not a stack trace, on a bad value", async () => {
    const run = promisify(execFile);
    const failure = await run("node", ["dist/main.js"], { env: { ...process.env, PORT: "99999", DATA_DIR: "/tmp/mailproof-never" } }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('PORT="99999": expected a port number 0-65535');
    expect((failure as { stderr: string }).stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
