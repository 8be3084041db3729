import { defineConfig } from "vitest/config";

// The engine against Debian's Postfix (scripts/mta/postfix-setup.sh configures it; root): part of
// `.ci/run`, not of `npm test`, which needs no mail server installed.
export default defineConfig({
  test: {
    name: "mta",
    include: ["test/mta/**/*.test.ts"],
    globalSetup: ["test/mta/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One Postfix and its rate-limit windows are shared: the files run one after the other.
    fileParallelism: false,
  },
});
