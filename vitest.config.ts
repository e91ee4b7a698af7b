import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The default output, then one line naming the system packages whose tests were
    // skipped here, if any (test/helpers/system-deps.ts).
    reporters: ["default", "./test/helpers/system-deps-reporter.ts"],
  },
});
