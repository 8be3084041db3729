import { sql } from "kysely";
import { type Db, isPostgres, serializeOn } from "../db/database.js";
import { inGroupCommit } from "../db/group-commit.js";
import { preparedInsert, preparedQuery } from "../db/prepared.js";
import type { Database } from "../db/schema.js";
import type { ConfirmationSendsTable, ConfirmationTokensTable, SubjectType } from "./tables.js";

export type TokenRow = ConfirmationTokensTable;
export type SendRow = ConfirmationSendsTable;

// What every send runs in its transaction (a new handle each time): compiled once, not per send.
const insertSend = preparedInsert<Database, "confirmation_sends">("confirmation_sends");
const insertToken = preparedInsert<Database, "confirmation_tokens">("confirmation_tokens");
/** The account's sends to one address since `since`: what the per-address caps count. */
function addressSendsSince(db: Db, accountId: string, emailKey: string, since: string) {
  return db
    .selectFrom("confirmation_sends")
    .where("account_id", "=", accountId)
    .where("email_key", "=", emailKey)
    .where("sent_at", ">", since);
}

const sendsToAddress = preparedQuery(
  (db: Db, accountId: string, emailKey: string, since: string) =>
    addressSendsSince(db, accountId, emailKey, since).select("sent_at").orderBy("sent_at"),
  3,
);

/**
 * What a send's caps ask, in one statement (on PostgreSQL one round trip less under the account's
 * lock): the address's sends since the first `since`, and the account's `n`th newest send since
 * the second (one row, from at most n entries of the (account_id, sent_at) index, however many
 * were sent). `offset` is n − 1, bound as text like every argument (both stores take it as a number).
 */
const capSends = preparedQuery(
  (db: Db, accountId: string, emailKey: string, since: string, accountSince: string, offset: string) =>
    addressSendsSince(db, accountId, emailKey, since)
      .select(["sent_at", sql<"address" | "quota">`'address'`.as("kind")])
      .unionAll(
        db
          .selectFrom(
            db
              .selectFrom("confirmation_sends")
              .select("sent_at")
              .where("account_id", "=", accountId)
              .where("sent_at", ">", accountSince)
              .orderBy("sent_at", "desc")
              .limit(1)
              .offset(sql<number>`${offset}`)
              .as("nth"),
          )
          .select(["nth.sent_at", sql<"address" | "quota">`'quota'`.as("kind")]),
      ),
  5,
);

/** Where a sweep of an account's sends goes on from: the last send it looked at. */
export interface SendsCursor {
  sent_at: string;
  email_key: string;
}

/** What a send's token adds to the send: its hash and its expiry. */
type NewToken = Pick<TokenRow, "token_hash" | "expires_at">;

/** The token a send's mail carries: new (unspent), to the send's address, made at the send's time. */
function tokenOf(send: SendRow, token: NewToken): TokenRow {
  const { account_id, subject_type, subject_id, email_key, sent_at } = send;
  const { token_hash, expires_at } = token;
  return {
    token_hash,
    account_id,
    subject_type,
    subject_id,
    email: email_key,
    expires_at,
    spent_at: null,
    created_at: sent_at,
  };
}

/**
 * PostgreSQL: a send and its token in one statement (a data-modifying `with`), one round trip
 * under the account's lock; SQLite's two inserts are calls within the process.
 */
const insertSendWithToken = preparedQuery(
  (
    db: Db,
    id: string,
    account: string,
    type: string,
    subject: string,
    key: string,
    at: string,
    hash: string,
    expiry: string,
  ) => {
    const send: SendRow = {
      id,
      account_id: account,
      subject_type: type as SubjectType,
      subject_id: subject,
      email_key: key,
      sent_at: at,
    };
    return db
      .with("send", (db) => db.insertInto("confirmation_sends").values(send))
      .insertInto("confirmation_tokens")
      .values(tokenOf(send, { token_hash: hash, expires_at: expiry }));
  },
  8,
);

/** What a subject's `verification` needs of the sends to its address, read beside the subject. */
export interface SendSummary {
  /** Sends since the start of the window (PostgreSQL counts in bigint, which pg reads as text). */
  sends_since: number | string;
  last_sent_at: string | null;
}

/**
 * The columns a family's select of its subjects adds so that each row carries its SendSummary,
 * read in the same statement (on PostgreSQL a GET of a subject is one round trip, not two).
 * `table` is the family's table: its `account_id` and `email_key` pick the sends (a send's key is
 * its address lower-cased, and a stored address lower-cased is its `email_key`), through the
 * (account_id, email_key, sent_at) index. Nothing else of the family's table is read here.
 */
export function sendSummaryColumns(table: keyof Database & string, since: string) {
  const sends = sql`confirmation_sends s where s.account_id = ${sql.ref(`${table}.account_id`)}
    and s.email_key = ${sql.ref(`${table}.email_key`)}`;
  return [
    sql<number | string>`(select count(*) from ${sends} and s.sent_at > ${since})`.as("sends_since"),
    sql<string | null>`(select max(s.sent_at) from ${sends})`.as("last_sent_at"),
  ] as const;
}

/** The confirmation tables. Nothing else reads them; families ask the confirmation service. */
export class ConfirmationRepository {
  constructor(readonly db: Db) {}

  /** The same queries on another handle (the connection a sweep holds its lock on). */
  in(db: Db): ConfirmationRepository {
    return new ConfirmationRepository(db);
  }

  /**
   * Runs `work` in one transaction, serialized with every other send of the same account (the
   * caps and the account's quota are decided inside it). `work` gets this store and the
   * transaction, so the family's own write can join it. On SQLite, sends that queue meanwhile
   * share its commit (db/group-commit.ts): a create's commit is most of its cost.
   */
  accountTransaction<T>(accountId: string, work: (store: ConfirmationRepository, trx: Db) => Promise<T>): Promise<T> {
    return inGroupCommit(this.db, async (trx) => {
      await serializeOn(trx, `confirmation:${accountId}`);
      return work(new ConfirmationRepository(trx), trx);
    });
  }

  /** The account's sends to one address since `since`, oldest first. */
  async sendsToAddressSince(accountId: string, emailKey: string, since: string): Promise<string[]> {
    return (await sendsToAddress(this.db, accountId, emailKey, since)).map((r) => r.sent_at);
  }

  /**
   * What the caps of a send need: the account's sends to one address since `since` (oldest first)
   * and, for a quota of `n` per `quota.since`, the account's `n`th newest send since then
   * (undefined when it sent fewer).
   */
  async capInputs(
    accountId: string,
    emailKey: string,
    since: string,
    quota: { since: string; n: number } | null,
  ): Promise<{ addressSends: string[]; nthNewest: string | undefined }> {
    if (quota === null)
      return { addressSends: await this.sendsToAddressSince(accountId, emailKey, since), nthNewest: undefined };
    const rows = await capSends(this.db, accountId, emailKey, since, quota.since, String(quota.n - 1));
    return {
      addressSends: rows
        .filter((r) => r.kind === "address")
        .map((r) => r.sent_at)
        .sort(),
      nthNewest: rows.find((r) => r.kind === "quota")?.sent_at,
    };
  }

  /** A send and the token its mail carries (see tokenOf). */
  async recordSend(send: SendRow, token: NewToken): Promise<void> {
    if (isPostgres(this.db)) {
      const { id, account_id, subject_type, subject_id, email_key, sent_at } = send;
      await insertSendWithToken(
        this.db,
        id,
        account_id,
        subject_type,
        subject_id,
        email_key,
        sent_at,
        token.token_hash,
        token.expires_at,
      );
      return;
    }
    await insertSend(this.db, send);
    await insertToken(this.db, tokenOf(send, token));
  }

  findToken(hash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom("confirmation_tokens").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  }

  /**
   * Deletes up to `limit` tokens that expired before `before`; how many. By the expiry's index
   * (migration 014), oldest first.
   */
  async pruneTokens(before: string, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom("confirmation_tokens")
      .where(
        "token_hash",
        "in",
        this.db
          .selectFrom("confirmation_tokens")
          .select("token_hash")
          .where("expires_at", "<", before)
          .orderBy("expires_at")
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The first account after `after` (in id order) that has sends, or null: a seek on the account index. */
  async nextAccountWithSends(after: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("confirmation_sends")
      .select((eb) => eb.fn.min("account_id").as("next"))
      .where("account_id", ">", after)
      .executeTakeFirst();
    return row?.next ?? null;
  }

  /**
   * Looks at up to `limit` of the account's sends made before `before` and after `after` (oldest
   * first, by the (account_id, sent_at) index; equal times in address order) and deletes those to
   * an address it has mailed again since (checked and deleted by the (account_id, email_key,
   * sent_at) index). The newest send to each address stays: its time is the address's
   * `last_sent_at` and the start of its resend interval. How many it deleted, and the last send it
   * looked at (null: no more to look at).
   */
  async pruneSends(
    accountId: string,
    before: string,
    after: SendsCursor,
    limit: number,
  ): Promise<{ deleted: number; last: SendsCursor | null }> {
    const looked = await this.db
      .selectFrom("confirmation_sends as s")
      .select(["s.email_key", "s.sent_at"])
      .select(({ exists, selectFrom }) =>
        exists(
          selectFrom("confirmation_sends as later")
            .select("later.sent_at")
            .whereRef("later.account_id", "=", "s.account_id")
            .whereRef("later.email_key", "=", "s.email_key")
            .whereRef("later.sent_at", ">", "s.sent_at"),
        ).as("superseded"),
      )
      .where("s.account_id", "=", accountId)
      .where("s.sent_at", "<", before)
      .where(({ eb, refTuple, tuple }) =>
        eb(refTuple("s.sent_at", "s.email_key"), ">", tuple(after.sent_at, after.email_key)),
      )
      .orderBy("s.sent_at")
      .orderBy("s.email_key")
      .limit(limit)
      .execute();
    // SQLite answers exists() as 0 or 1, PostgreSQL as a boolean.
    const superseded = looked.filter((row) => Boolean(row.superseded));
    const end = looked.at(-1);
    const last = looked.length < limit || !end ? null : { sent_at: end.sent_at, email_key: end.email_key };
    if (superseded.length === 0) return { deleted: 0, last };
    const result = await this.db
      .deleteFrom("confirmation_sends")
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple("account_id", "email_key", "sent_at"),
          "in",
          superseded.map((row) => tuple(accountId, row.email_key, row.sent_at)),
        ),
      )
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), last };
  }

  /** Spends every unspent token of the subject. */
  async spendAll(type: SubjectType, id: string, at: string): Promise<void> {
    await this.db
      .updateTable("confirmation_tokens")
      .set({ spent_at: at })
      .where("subject_type", "=", type)
      .where("subject_id", "=", id)
      .where("spent_at", "is", null)
      .execute();
  }
}
