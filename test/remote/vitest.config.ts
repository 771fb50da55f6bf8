// The remote tests alone, without the global start-kernel build (they boot a kernel only when one is stored).
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: { include: ['test/remote/**/*.test.ts'], testTimeout: 120_000, fileParallelism: false },
});
