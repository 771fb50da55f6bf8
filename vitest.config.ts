// Two projects, run one after the other: `unit` (seconds each, some boot QEMU), then `e2e`
// (real kernel builds and boots, one file at a time: they share the build cache and two cores).
// The global setup builds the default profile's start kernel once, before any test's timeout runs.
// The long e2e files (LONG_E2E) run only with TINYX_E2E_LONG=1 (every e2e file) or =only (those
// alone: `npm run test:long`): with them the cold suite takes well over CI's 90 minutes.
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files, in the order that lets a cold cache serve later files (vitest's own order is
 * largest file first when cold, slowest first once it has timings):
 * - distcc-kernel first, while the build slot still holds the global setup's start kernel, which it
 *   would otherwise rebuild there;
 * - remote (when TINYX_E2E_LONG=1) before minimize: remote drops and rebuilds the very configs minimize's search builds, so
 *   minimize finds them stored; trace-retry right after, whose one removal minimize built;
 * - microvm last: its own start kernel (no PCI) left in the slot makes the next file's first build a
 *   long incremental one.
 * A file not listed runs after these, in vitest's order.
 */
const E2E_ORDER = ['distcc-kernel', 'remote', 'minimize', 'trace-retry', 'disk-volume', 'resume', 'signals', 'apps', 'fleet', 'full-search', 'microvm', 'kernel-next'];

/**
 * The e2e files `npm test` leaves out, each a feature other files and `npm run demo` also reach: the
 * remote slot (a worker's first whole-kernel build, 13 min cold), the packaged apps (the Python
 * service's closure, 10 min), the fleet (three bounded searches, 20 min) and the full search (what
 * `npm run demo` runs). Cold, they were 55 of the 90 minutes a CI run may take.
 */
export const LONG_E2E = ['remote', 'apps', 'fleet', 'full-search'];
const longFiles = LONG_E2E.map((name) => `test/e2e/${name}.test.ts`);
const long = process.env.TINYX_E2E_LONG;

class CacheOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = E2E_ORDER.indexOf(path.basename(spec.moduleId, '.test.ts'));
      return at < 0 ? E2E_ORDER.length : at;
    };
    const e2e = sorted.filter((spec) => spec.project.name === 'e2e');
    return [...sorted.filter((spec) => spec.project.name !== 'e2e'), ...e2e.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map(({ spec }) => spec)];
  }
}

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    sequence: { sequencer: CacheOrder },
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
          include: long === 'only' ? longFiles : ['test/e2e/**/*.test.ts'],
          exclude: long === '1' || long === 'only' ? [] : longFiles,
          testTimeout: 40 * 60_000,
          hookTimeout: 40 * 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
