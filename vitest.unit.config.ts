import { defineConfig } from "vitest/config";

/** The unit tests alone: the `unit` project of vitest.config.ts, and what StrykerJS runs per mutant. */
export const unitTests = {
  name: "unit",
  include: ["server/**/*.test.ts", "client/**/*.test.ts", "test/spec/**/*.test.ts", "bench/**/*.test.ts"],
};

export default defineConfig({ test: unitTests });
