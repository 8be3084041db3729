import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmationRepository } from "../../server/confirmations/repository.js";
import {
  CONFIRMATION_SWEEP,
  startConfirmationSweep,
  sweepConfirmationsInTurn,
} from "../../server/confirmations/sweep.js";
import { type Db, migrate, openDatabase } from "../../server/db/database.js";
import { unlessRunningElsewhere } from "../../server/db/one-at-a-time.js";
import type { Logger } from "../../server/shared/logger.js";
import { freshDatabaseEnv, insertAccounts, insertSends } from "../support/database.js";
import { eventually } from "../support/mail.js";

// Many API processes share one PostgreSQL store (npm run test:pg); each sweeps at start and hourly,
// and one at a time does: each sweep reads every old send, and at a start of all their deletes of
// the same rows waited on each other. Two handles on one schema stand for two processes.
let one: Db;
let other: Db;
beforeAll(async () => {
  const { DATABASE_URL } = await freshDatabaseEnv();
  // The SQLite file is not opened: the URL names the store. One connection each (DB_POOL_MAX=1):
  // the sweep's statements must run on the connection that holds its lock.
  const open = () => openDatabase({ databaseUrl: DATABASE_URL, dbPoolMax: 1 }, "unused.sqlite");
  one = open();
  other = open();
  await migrate(one);
});
afterAll(async () => {
  await one.destroy();
  await other.destroy();
});

describe("one process at a time", () => {
  it("runs a task unless another process runs it now, and once that one is done", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = unlessRunningElsewhere(one, "a task", async () => {
      started();
      await held;
      return "first";
    });
    await running;
    let ran = false;
    expect(await unlessRunningElsewhere(other, "a task", async () => (ran = true))).toBeNull();
    expect(ran).toBe(false);
    // Another name is another task.
    expect(await unlessRunningElsewhere(other, "another task", async () => "another")).toBe("another");
    release();
    expect(await first).toBe("first");
    expect(await unlessRunningElsewhere(other, "a task", async () => "second")).toBe("second");
  });

  it("lets go of the lock when the task fails", async () => {
    await expect(
      unlessRunningElsewhere(one, "a failing task", async () => {
        throw new Error("the store went away");
      }),
    ).rejects.toThrow("the store went away");
    expect(await unlessRunningElsewhere(other, "a failing task", async () => "ran")).toBe("ran");
  });

  it("leaves the confirmation sweep to the process that is sweeping", async () => {
    await insertAccounts(one, ["acct"]);
    await insertSends(one, [
      ["acct", "ana@x.test", "2026-11-01T09:00:00.000Z"],
      ["acct", "ana@x.test", "2026-11-02T09:00:00.000Z"],
    ]);
    const logged: string[] = [];
    const logger = {
      info: (_: unknown, line: string) => logged.push(line),
      warn: () => undefined,
    } as unknown as Logger;
    const count = async () =>
      (await one
        .selectFrom("confirmation_sends")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst())!.n;
    const clock = () => new Date("2026-11-30T12:00:00.000Z");
    let release: (() => void) | undefined;
    const sweeping = unlessRunningElsewhere(
      other,
      CONFIRMATION_SWEEP,
      async () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    // The other process sweeps (holds the lock) once its task has begun.
    await eventually(async () => release);
    // Its turn taken, this process's sweep does nothing (null: nothing for the hourly round to log).
    expect(await sweepConfirmationsInTurn(one, new ConfirmationRepository(one), clock)).toBeNull();
    expect(Number(await count())).toBe(2);
    expect(logged).toEqual([]);
    release!();
    await sweeping;
    const swept = startConfirmationSweep(one, new ConfirmationRepository(one), clock, logger);
    await eventually(async () => logged[0]);
    swept.stop();
    expect(logged).toEqual(["confirmation tokens and sends past their use deleted"]);
    expect(Number(await count())).toBe(1);
  });
});
