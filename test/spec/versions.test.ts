import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../client/src/version.js";
import { document } from "../support/openapi.js";

const versionOf = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;

describe("one version", () => {
  it("the contract's info.version, the server's package, the client's package and its User-Agent agree", () => {
    const version = (document as unknown as { info: { version: string } }).info.version;
    expect(versionOf("package.json")).toBe(version);
    expect(versionOf("client/package.json")).toBe(version);
    expect(VERSION).toBe(version);
  });

  it("the client package depends on openapi-fetch and standardwebhooks only", () => {
    const pkg = JSON.parse(readFileSync("client/package.json", "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(["openapi-fetch", "standardwebhooks"]);
  });
});
