import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs in seconds; `e2e` builds real kernels and boots QEMU, one file at a
// time (they share the build cache and the machine's two cores).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 40 * 60_000,
          hookTimeout: 40 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
