import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { KEY_CACHE_MS } from "../../server/accounts/service.js";
import { sha256Hex } from "../../server/shared/ids.js";
import { fresh, raw } from "../support/api.js";
import { everyStoredRow } from "../support/database.js";
import { createKey, keysCli } from "../support/real-server.js";

const server = inject("server");

describe("API keys", () => {
  it("create prints the key once; list shows only prefixes; revoke stops it within a second", async () => {
    const account = `ops-${fresh()}`;
    const key = await createKey(server.env, account);
    expect(key).toMatch(/^mp_live_[A-Za-z0-9_-]{43}$/);
    expect((await raw({ ...server, apiKey: key }, "GET", "/v1/destinations")).status).toBe(200);

    const { stdout: listed } = await keysCli(server.env, ["list"]);
    const line = listed.split("\n").find((l) => l.includes(`account=${account}`))!;
    expect(line).toContain(key.slice(0, 14));
    expect(listed).not.toContain(key);
    expect(line).toContain("active");

    const keyId = line.split(/\s+/)[0]!;
    const { stdout: revoked } = await keysCli(server.env, ["revoke", keyId]);
    expect(revoked).toContain("revoked 1 key");
    // The server remembers a verified key for KEY_CACHE_MS; past that the revocation holds.
    await new Promise((r) => setTimeout(r, KEY_CACHE_MS + 100));
    const after = await raw({ ...server, apiKey: key }, "GET", "/v1/destinations");
    expect(after.status).toBe(401);
    expect(after.json!.code).toBe("unauthorized");
  });

  it("a second key of the same account sees the same resources", async () => {
    const account = `team-${fresh()}`;
    const first = await createKey(server.env, account);
    const second = await createKey(server.env, account);
    const created = await raw({ ...server, apiKey: first }, "POST", "/v1/destinations", {
      body: JSON.stringify({ email: `k-${fresh()}@acme-logistics.com` }),
      headers: { "content-type": "application/json" },
    });
    const seen = await raw({ ...server, apiKey: second }, "GET", `/v1/destinations/${created.json!.id as string}`);
    expect(seen.status).toBe(200);
  });

  it("the CLI explains its usage and fails on an unknown command", async () => {
    await expect(keysCli(server.env, ["rotate"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("usage:"),
    });
    await expect(keysCli(server.env, ["revoke", "no-such-key"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no active key"),
    });
  });

  it("no API key is stored in clear anywhere in the data directory or the database", async () => {
    const key = await createKey(server.env, `scan-${fresh()}`);
    await raw({ ...server, apiKey: key }, "GET", "/v1/destinations");
    for (const file of readdirSync(server.dataDir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name))) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(key)), file).toBe(false);
      expect(bytes.includes(Buffer.from(server.apiKey)), file).toBe(false);
      expect(bytes.includes(Buffer.from(key.slice(8))), file).toBe(false);
    }
    if (server.env.DATABASE_URL) {
      const rows = await everyStoredRow(server.env.DATABASE_URL);
      expect(rows).toContain(sha256Hex(key)); // the rows were read: the hash is there, the key is not
      expect(rows).not.toContain(key.slice(8));
      expect(rows).not.toContain(server.apiKey.slice(8));
    }
  });
});
