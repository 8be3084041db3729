import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../server/db/database.js";
import { DestinationRepository } from "../../server/destinations/repository.js";
import { SenderIdentityRepository } from "../../server/sender-identities/repository.js";
import { freshStore, insertAccounts, insertSends } from "../support/database.js";

// A GET or a list of a confirmable family reads each row with the summary of its address's sends
// (what its `verification` needs) in the same statement: on SQLite, and on PostgreSQL under
// `npm run test:pg`, where that is one round trip per GET instead of two.
let db: Db;
const at = "2026-11-30T08:00:00.000Z";
beforeAll(async () => {
  db = await freshStore();
  await insertAccounts(db, ["acct", "other"], at);
  for (const [id, email, created_at] of [
    ["d-ana", "Ana@X.test", "2026-11-30T08:00:01.000Z"],
    ["d-bo", "bo@x.test", "2026-11-30T08:00:02.000Z"],
    ["d-cy", "cy@x.test", "2026-11-30T08:00:03.000Z"],
  ] as const)
    await db
      .insertInto("destinations")
      .values({
        id,
        account_id: "acct",
        email,
        email_key: email.toLowerCase(),
        status: "pending",
        verified_at: null,
        created_at,
        updated_at: created_at,
      })
      .execute();
  await db
    .insertInto("mailbox_domains")
    .values({
      id: "dom",
      account_id: "acct",
      domain: "x.test",
      status: "verified",
      dns_records: "[]",
      verified_at: at,
      last_checked_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto("sender_identities")
    .values({
      id: "i-ana",
      account_id: "acct",
      domain_id: "dom",
      email: "Ana@x.test",
      email_key: "ana@x.test",
      name: "Ana",
      reply_to_email: null,
      reply_to_name: null,
      is_verified: 0,
      verified_at: null,
      resends: 0,
      add_note: 0,
      personal_note: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  // Sends are the account's, by address (lower-cased), whichever resource sent them.
  await insertSends(db, [
    ["acct", "ana@x.test", "2026-11-29T09:00:00.000Z"], // before the window
    ["acct", "ana@x.test", "2026-11-30T09:50:00.000Z"],
    ["acct", "ana@x.test", "2026-11-30T10:05:00.000Z"],
    ["acct", "bo@x.test", "2026-11-29T09:30:00.000Z"], // before the window: counted 0, yet the newest
    ["other", "ana@x.test", "2026-11-30T10:40:00.000Z"], // another account's
    ["other", "cy@x.test", "2026-11-30T10:40:00.000Z"],
  ]);
});
afterAll(() => db.destroy());

const SINCE = "2026-11-29T10:00:00.000Z";
const summary = (row: { sends_since: number | string; last_sent_at: string | null } | undefined) =>
  row && { sends: Number(row.sends_since), last: row.last_sent_at };

describe("a subject read with its sends' summary", () => {
  it("a destination: its account's sends to its address within the window, and the newest of all", async () => {
    const destinations = new DestinationRepository(db);
    expect(summary(await destinations.findWithSends("acct", "d-ana", SINCE))).toEqual({
      sends: 2,
      last: "2026-11-30T10:05:00.000Z",
    });
    expect(summary(await destinations.findWithSends("acct", "d-bo", SINCE))).toEqual({
      sends: 0,
      last: "2026-11-29T09:30:00.000Z",
    });
    // Another account's mails to the same address are not this account's.
    expect(summary(await destinations.findWithSends("acct", "d-cy", SINCE))).toEqual({ sends: 0, last: null });
    expect(await destinations.findWithSends("other", "d-ana", SINCE)).toBeUndefined();
    expect(await destinations.findWithSends("acct", "d-ana", SINCE)).toMatchObject({ email: "Ana@X.test" });
  });

  it("a page of destinations: each row with its own summary", async () => {
    const page = await new DestinationRepository(db).list("acct", {}, { size: 2, cursor: null }, SINCE);
    expect(page.items.map((r) => [r.id, ...Object.values(summary(r)!)])).toEqual([
      ["d-cy", 0, null],
      ["d-bo", 0, "2026-11-29T09:30:00.000Z"],
    ]);
    const next = await new DestinationRepository(db).list("acct", {}, { size: 2, cursor: page.next }, SINCE);
    expect(next.items.map((r) => [r.id, ...Object.values(summary(r)!)])).toEqual([
      ["d-ana", 2, "2026-11-30T10:05:00.000Z"],
    ]);
  });

  it("a sender identity, and a page of them: the same sends, counted for its address", async () => {
    const identities = new SenderIdentityRepository(db);
    const expected = { sends: 2, last: "2026-11-30T10:05:00.000Z" };
    expect(summary(await identities.findWithSends("acct", "i-ana", SINCE))).toEqual(expected);
    expect(summary(await identities.findWithSends("acct", "i-ana", "2026-11-30T10:00:00.000Z"))).toEqual({
      ...expected,
      sends: 1,
    });
    const page = await identities.list("acct", { domainId: "dom" }, { size: 10, cursor: null }, SINCE);
    expect(page.items.map(summary)).toEqual([expected]);
  });
});
