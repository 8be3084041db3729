import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmationRepository } from "../../server/confirmations/repository.js";
import type { Db } from "../../server/db/database.js";
import { freshStore, insertAccounts, insertSends } from "../support/database.js";

// What a send's caps read from the store, in the one statement they read it with: on SQLite, and
// on PostgreSQL under `npm run test:pg`.
let db: Db;
let store: ConfirmationRepository;
beforeAll(async () => {
  db = await freshStore();
  await insertAccounts(db, ["acct", "other"]);
  // Recorded out of order: the store's order is not the time's.
  await insertSends(db, [
    ["acct", "ana@x.test", "2026-11-30T10:30:00.000Z"],
    ["acct", "ana@x.test", "2026-11-29T09:00:00.000Z"], // older than a day before 10:00 on the 30th
    ["acct", "bo@x.test", "2026-11-30T10:10:00.000Z"],
    ["acct", "ana@x.test", "2026-11-30T09:50:00.000Z"],
    ["acct", "cy@x.test", "2026-11-30T10:20:00.000Z"],
    ["acct", "ana@x.test", "2026-11-30T10:05:00.000Z"],
    ["other", "ana@x.test", "2026-11-30T10:40:00.000Z"],
  ]);
  store = new ConfirmationRepository(db);
});
afterAll(() => db.destroy());

const DAY_AGO = "2026-11-29T10:00:00.000Z";
const HOUR_AGO = "2026-11-30T10:00:00.000Z";

describe("the caps' inputs, read in one statement", () => {
  it("the address's sends of the account since the day began, oldest first, and the quota's nth newest", async () => {
    // The account's sends in the hour, newest first: 10:30 (ana), 10:20 (cy), 10:10 (bo), 10:05 (ana).
    for (const [n, nth] of [
      [1, "2026-11-30T10:30:00.000Z"],
      [3, "2026-11-30T10:10:00.000Z"],
      [4, "2026-11-30T10:05:00.000Z"],
      [5, undefined],
    ] as const)
      expect(await store.capInputs("acct", "ana@x.test", DAY_AGO, { since: HOUR_AGO, n })).toEqual({
        addressSends: ["2026-11-30T09:50:00.000Z", "2026-11-30T10:05:00.000Z", "2026-11-30T10:30:00.000Z"],
        nthNewest: nth,
      });
  });

  it("without a quota, the address's sends alone; an address never sent to has none", async () => {
    expect(await store.capInputs("acct", "bo@x.test", DAY_AGO, null)).toEqual({
      addressSends: ["2026-11-30T10:10:00.000Z"],
      nthNewest: undefined,
    });
    expect(await store.capInputs("acct", "new@x.test", DAY_AGO, { since: HOUR_AGO, n: 2 })).toEqual({
      addressSends: [],
      nthNewest: "2026-11-30T10:20:00.000Z",
    });
  });
});
