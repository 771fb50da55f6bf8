import { defineConfig } from 'vitest/config';

// Two projects, run one after the other: `unit` (seconds each, some boot QEMU), then `e2e`
// (real kernel builds and boots, one file at a time: they share the build cache and two cores).
// The global setup builds the default profile's start kernel once, before any test's timeout runs.
export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 120_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 40 * 60_000,
          hookTimeout: 40 * 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
