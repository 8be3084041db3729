import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { unitTests } from "./vitest.unit.config.js";

// Two projects. `unit`: the pure modules' tests, beside them in server/ and client/ (plus the
// contract's house rules), no servers: `npm run test:unit` answers in seconds. `integration`:
// the suites under test/ that talk to real servers, which the global setup starts once per run.
export default defineConfig({
  test: {
    // The integration files mostly wait on servers and sockets: two at a time even on a 2-core
    // machine (vitest's default there, cores - 1, runs them one by one and CI took 39 minutes).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { test: unitTests },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          // The multi-process suite needs PostgreSQL: it is part of `npm run test:pg` (TEST_DATABASE_URL).
          // The suite against Postfix needs Postfix installed: `npm run test:mta` (vitest.mta.config.ts).
          exclude: ["test/spec/**", "test/mta/**", ...(process.env.TEST_DATABASE_URL ? [] : ["test/multiprocess/**"])],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Servers are started once for the whole run; test files talk to them over loopback.
          pool: "forks",
        },
      },
    ],
  },
});
