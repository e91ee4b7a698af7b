import { defineConfig } from "vitest/config";

const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: "forks" as const,
};

export default defineConfig({
  test: {
    // The default output, then one line naming the system packages whose tests were
    // skipped here, if any (test/helpers/system-deps.ts).
    reporters: ["default", "./test/helpers/system-deps-reporter.ts"],
    projects: [
      {
        extends: true,
        // (an explicit order: vitest runs order-0 projects with one worker after all others)
        test: { ...shared, name: "simpleclaw", include: ["src/**/*.test.ts", "test/**/*.test.ts"], exclude: ["test/container/**"], sequence: { groupOrder: 1 } },
      },
      {
        // Builds and runs the container image (minutes of CPU): after everything else, so
        // it neither slows the timing-sensitive tests down nor is slowed by them.
        extends: true,
        test: { ...shared, name: "container", include: ["test/container/**/*.test.ts"], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
