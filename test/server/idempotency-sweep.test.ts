import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteFile } from "../../server/config.js";
import { type Db, openDatabase } from "../../server/db/database.js";
import { IdempotencyRepository } from "../../server/http/idempotency-repository.js";
import { sweepExpiredKeys } from "../../server/http/idempotency-sweep.js";
import { freshDatabaseEnv, freshStore, insertAccounts } from "../support/database.js";
import { startLoggedServer, startServerAt } from "../support/processes.js";

// Idempotency keys past their day are deleted by the sweep, a batch at a time: on SQLite, and on
// PostgreSQL under `npm run test:pg`; and that an API process runs it when it starts.
let db: Db;
let store: IdempotencyRepository;
beforeAll(async () => {
  db = await freshStore();
  await insertAccounts(db, ["acct", "other"]);
  store = new IdempotencyRepository(db);
});
afterAll(() => db.destroy());

const NOW = new Date("2026-11-30T12:00:00.000Z");
const key = (account: string, name: string, createdAt: string, answered = true) => ({
  account_id: account,
  key: name,
  scope: "POST /v1/destinations",
  request_hash: "h",
  status: answered ? 201 : null,
  response_headers: answered ? "{}" : null,
  response_body: answered ? "{}" : null,
  created_at: createdAt,
});

describe("the idempotency sweep", () => {
  it("deletes the keys of every account created more than a day ago, answered or not, and keeps the rest", async () => {
    await db
      .insertInto("idempotency_keys")
      .values([
        key("acct", "old-1", "2026-11-28T09:00:00.000Z"),
        key("acct", "old-2", "2026-11-29T11:59:59.999Z"),
        key("acct", "abandoned", "2026-11-29T08:00:00.000Z", false),
        key("other", "old-3", "2026-11-20T00:00:00.000Z"),
        key("other", "old-4", "2026-11-29T00:00:00.000Z"),
        key("acct", "a-day-ago", "2026-11-29T12:00:00.000Z"),
        key("acct", "fresh", "2026-11-30T11:00:00.000Z"),
        key("other", "in-flight", "2026-11-30T11:59:00.000Z", false),
      ])
      .execute();
    // Batches of two: five expired keys take three, the last one short.
    expect(await sweepExpiredKeys(store, () => NOW, 2)).toBe(5);
    const left = await db.selectFrom("idempotency_keys").select(["account_id", "key"]).orderBy("key").execute();
    expect(left).toEqual([
      { account_id: "acct", key: "a-day-ago" },
      { account_id: "acct", key: "fresh" },
      { account_id: "other", key: "in-flight" },
    ]);
    // A deleted key is free again.
    expect(await store.reserve(key("acct", "old-1", NOW.toISOString(), false))).toBe(true);
    expect(await sweepExpiredKeys(store, () => NOW, 2)).toBe(0);
  });
});

describe("an API process", () => {
  it("deletes the keys past their day when it starts", async () => {
    const server = await startLoggedServer(await freshDatabaseEnv());
    const create = (key: string) =>
      fetch(`${server.url}/v1/destinations`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ email: `${key}@acme-logistics.com` }),
      });
    expect((await create("yesterdays")).status).toBe(201);
    expect((await create("todays")).status).toBe(201);
    await server.stop();
    const store = openDatabase({ databaseUrl: server.env.DATABASE_URL, dbPoolMax: 1 }, sqliteFile(server));
    const keys = async () =>
      (await store.selectFrom("idempotency_keys").select("key").orderBy("key").execute()).map((r) => r.key);
    try {
      // As if the first request had been made a day and a minute ago.
      const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000 - 60_000).toISOString();
      await store.updateTable("idempotency_keys").set({ created_at: dayAgo }).where("key", "=", "yesterdays").execute();
      expect(await keys()).toEqual(["todays", "yesterdays"]);
      const again = await startServerAt(server.url, server.env, "restarted");
      try {
        await expect.poll(keys, { timeout: 10_000 }).toEqual(["todays"]);
      } finally {
        await again.stop();
      }
    } finally {
      await store.destroy();
    }
  }, 60_000);
});
