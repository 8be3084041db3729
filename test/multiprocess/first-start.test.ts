import { afterAll, describe, expect, it } from "vitest";
import { freshDatabaseEnv } from "../support/database.js";
import { type Started, startApiProcess } from "../support/processes.js";

// Two API processes started at once on an empty PostgreSQL (npm run test:pg): the second used to
// die on `duplicate key value violates unique constraint "accounts_name_key"`.
const processes: Started[] = [];
afterAll(() => Promise.all(processes.map((p) => p.stop())));

describe("first start of two processes on one empty database", () => {
  it("both come up; exactly one creates the first account's key and prints it", async () => {
    const shared = {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      WORKERS: "0",
      DOMAIN_RECHECK_INTERVAL: "0",
      ...(await freshDatabaseEnv()),
    };
    const start = async (i: number) => {
      const { started } = await startApiProcess(shared, `api ${i}`);
      processes.push(started);
      return started;
    };
    const both = await Promise.all([start(0), start(1)]);
    const keys = both.map((p) => /API key: (\S+)/.exec(p.output())?.[1]).filter(Boolean);
    expect(keys).toHaveLength(1);
    expect(both.every((p) => p.process.exitCode === null)).toBe(true);
  });
});
