import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteFile } from "../../server/config.js";
import { ConfirmationRepository } from "../../server/confirmations/repository.js";
import { sweepConfirmations } from "../../server/confirmations/sweep.js";
import { type Db, openDatabase } from "../../server/db/database.js";
import { freshDatabaseEnv, freshStore, insertAccounts, insertSends } from "../support/database.js";
import { startLoggedServer, startServerAt } from "../support/processes.js";

// What confirmation mail leaves behind is deleted once nothing reads it: tokens 30 days past their
// expiry, and sends older than two days to an address mailed again since. On SQLite, and on
// PostgreSQL under `npm run test:pg`; and an API process sweeps when it starts.
let db: Db;
let store: ConfirmationRepository;
beforeAll(async () => {
  db = await freshStore();
  await insertAccounts(db, ["acct", "other", "quiet", "tied"]);
  store = new ConfirmationRepository(db);
});
afterAll(() => db.destroy());

const NOW = new Date("2026-11-30T12:00:00.000Z");
const token = (hash: string, expiresAt: string, account = "acct") => ({
  token_hash: hash,
  account_id: account,
  subject_type: "destination" as const,
  subject_id: "d",
  email: "ana@x.test",
  expires_at: expiresAt,
  spent_at: null,
  created_at: "2026-10-01T00:00:00.000Z",
});
const hashes = async () =>
  (await db.selectFrom("confirmation_tokens").select("token_hash").orderBy("token_hash").execute()).map(
    (r) => r.token_hash,
  );
const sends = async () =>
  (
    await db
      .selectFrom("confirmation_sends")
      .select(["account_id", "email_key", "sent_at"])
      .orderBy("account_id")
      .orderBy("email_key")
      .orderBy("sent_at")
      .execute()
  ).map((r) => `${r.account_id} ${r.email_key} ${r.sent_at}`);

describe("the confirmation sweep", () => {
  it("deletes tokens 30 days past their expiry, and old sends to an address mailed since but its newest", async () => {
    await db
      .insertInto("confirmation_tokens")
      .values([
        token("expired-long-ago", "2026-09-01T00:00:00.000Z"),
        token("expired-31-days-ago", "2026-10-30T11:59:59.999Z", "other"),
        token("expired-29-days-ago", "2026-11-01T12:00:00.000Z"),
        token("live", "2026-12-07T12:00:00.000Z"),
      ])
      .execute();
    await insertSends(db, [
      // Three to ana: the two older than two days go; the newest stays whatever its age.
      ["acct", "ana@x.test", "2026-11-01T09:00:00.000Z"],
      ["acct", "ana@x.test", "2026-11-20T09:00:00.000Z"],
      ["acct", "ana@x.test", "2026-11-29T09:00:00.000Z"],
      // bo was mailed once, long ago: that send is bo's last_sent_at, and stays.
      ["acct", "bo@x.test", "2026-10-01T09:00:00.000Z"],
      // cy: both sends within two days (the caps and sends_last_24h count such): both stay.
      ["acct", "cy@x.test", "2026-11-28T12:00:00.000Z"],
      ["acct", "cy@x.test", "2026-11-30T11:00:00.000Z"],
      // Another account mailing the same address counts on its own: its old send goes only
      // because it mailed that address again.
      ["other", "ana@x.test", "2026-11-01T09:00:00.000Z"],
      ["other", "ana@x.test", "2026-11-03T09:00:00.000Z"],
      ["other", "dee@x.test", "2026-11-02T09:00:00.000Z"],
      ["other", "dee@x.test", "2026-11-02T09:00:00.000Z"],
      ["other", "dee@x.test", "2026-11-04T09:00:00.000Z"],
      ["quiet", "eve@x.test", "2026-11-04T09:00:00.000Z"],
      // Three addresses mailed at the same time, and each again: a batch of two ends among them.
      ["tied", "x@x.test", "2026-11-05T09:00:00.000Z"],
      ["tied", "y@x.test", "2026-11-05T09:00:00.000Z"],
      ["tied", "z@x.test", "2026-11-05T09:00:00.000Z"],
      ["tied", "x@x.test", "2026-11-06T09:00:00.000Z"],
      ["tied", "y@x.test", "2026-11-06T09:00:00.000Z"],
      ["tied", "z@x.test", "2026-11-06T09:00:00.000Z"],
    ]);
    // Batches of two: two rounds delete the tokens; other's first round looks at ana's first send
    // and one of dee's two equal ones, and deletes all three.
    expect(await sweepConfirmations(store, () => NOW, 2)).toBe(2 + 2 + 3 + 3);
    expect(await hashes()).toEqual(["expired-29-days-ago", "live"]);
    expect(await sends()).toEqual([
      "acct ana@x.test 2026-11-29T09:00:00.000Z",
      "acct bo@x.test 2026-10-01T09:00:00.000Z",
      "acct cy@x.test 2026-11-28T12:00:00.000Z",
      "acct cy@x.test 2026-11-30T11:00:00.000Z",
      "other ana@x.test 2026-11-03T09:00:00.000Z",
      "other dee@x.test 2026-11-04T09:00:00.000Z",
      "quiet eve@x.test 2026-11-04T09:00:00.000Z",
      "tied x@x.test 2026-11-06T09:00:00.000Z",
      "tied y@x.test 2026-11-06T09:00:00.000Z",
      "tied z@x.test 2026-11-06T09:00:00.000Z",
    ]);
    expect(await sweepConfirmations(store, () => NOW, 2)).toBe(0);
  });
});

describe("an API process", () => {
  it("sweeps at start: a month-old expired link and a resent address's old send go, its summary stays", async () => {
    const server = await startLoggedServer(await freshDatabaseEnv());
    const created = await fetch(`${server.url}/v1/destinations`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "ana@acme-logistics.com" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await server.stop();
    const store = openDatabase({ databaseUrl: server.env.DATABASE_URL, dbPoolMax: 1 }, sqliteFile(server));
    const get = async () => {
      const answer = await fetch(`${server.url}/v1/destinations/${id}`, {
        headers: { authorization: `Bearer ${server.key}` },
      });
      return ((await answer.json()) as { verification: { last_sent_at: string } }).verification;
    };
    try {
      // As if the mail had gone out 40 days ago (its link expired 33 days ago), and again a day ago.
      const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
      await store
        .updateTable("confirmation_sends")
        .set({ sent_at: daysAgo(40) })
        .execute();
      await store
        .updateTable("confirmation_tokens")
        .set({ expires_at: daysAgo(33) })
        .execute();
      const [send] = await store.selectFrom("confirmation_sends").selectAll().execute();
      const resentAt = daysAgo(1);
      await store
        .insertInto("confirmation_sends")
        .values({ ...send!, id: "resent", sent_at: resentAt })
        .execute();
      const again = await startServerAt(server.url, server.env, "restarted");
      try {
        const rows = async () => ({
          tokens: (await store.selectFrom("confirmation_tokens").select("token_hash").execute()).length,
          sends: (await store.selectFrom("confirmation_sends").select("sent_at").execute()).map((r) => r.sent_at),
        });
        await expect.poll(rows, { timeout: 10_000 }).toEqual({ tokens: 0, sends: [resentAt] });
        expect((await get()).last_sent_at).toBe(resentAt);
      } finally {
        await again.stop();
      }
    } finally {
      await store.destroy();
    }
  }, 60_000);
});
