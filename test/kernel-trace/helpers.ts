// Test helpers: a finished kernel build dir to read (never one a live tinyx is building in).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot } from '../../src/util/paths.js';
import { finishedBuild } from '../helpers/start-kernel.js';

export const KERNEL_SRC = process.env.TINYX_KERNEL_SRC ?? path.join(cacheRoot(), 'kernel/linux-source-6.1');

const finished = (dir: string): boolean => finishedBuild(dir) && existsSync(path.join(dir, 'vmlinux.a'));

/**
 * $TINYX_TRACE_BUILD_DIR, else the start kernel's build dir from the test setup
 * (test/helpers/global-setup.ts), either of which must hold a finished build; else a slot dir
 * under the cache with a finished build and no lock (a locked slot may be rebuilt under our feet).
 */
export function findBuildDir(): string | undefined {
  const fromEnv = process.env.TINYX_TRACE_BUILD_DIR ?? process.env.TINYX_TEST_START_BUILD_DIR;
  // Named, it must be one: these tests would otherwise be skipped without a word.
  if (fromEnv && !finished(fromEnv)) throw new Error(`${fromEnv} holds no finished kernel build (a build marker, or no System.map, vmlinux.a, .config or bzImage)`);
  if (fromEnv) return fromEnv;
  const builds = path.join(cacheRoot(), 'builds');
  if (!existsSync(builds)) return undefined;
  for (const tree of readdirSync(builds)) {
    for (const slot of readdirSync(path.join(builds, tree))) {
      const dir = path.join(builds, tree, slot);
      if (slot.startsWith('slot-') && !slot.endsWith('.lock') && !existsSync(`${dir}.lock`) && finished(dir)) return dir;
    }
  }
  return undefined;
}
