import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The multi-process suite needs PostgreSQL: it is part of `npm run test:pg` (TEST_DATABASE_URL).
    include: ["test/**/*.test.ts"],
    exclude: process.env.TEST_DATABASE_URL ? [] : ["test/multiprocess/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers are started once for the whole run; test files talk to them over loopback.
    pool: "forks",
  },
});
