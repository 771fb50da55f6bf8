// The fleet's out dir lock: two fleet runs never work in the same out dir; a lock whose process is gone is taken over.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { tryLockFile } from '../util/fsx.js';
import { parseIdentity } from '../util/proc.js';

export const LOCK_FILE = 'fleet.lock';

export interface FleetLock {
  file: string;
  release(): Promise<void>;
}

/**
 * Takes `<dir>/fleet.lock`, which holds this process's pid (with its start time and boot id, so a
 * reused pid is not taken for the holder). A lock left by a process that is no longer running is
 * taken over, and `say` tells; one held by a running process is TINYX_FLEET_LOCKED (exit status 2).
 */
export async function lockFleet(dir: string, say: (message: string) => void): Promise<FleetLock> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (!(await tryLockFile(file))) {
    const holder = holderOf(await readFile(file, 'utf8').catch(() => before ?? ''));
    throw new TinyxError('TINYX_FLEET_LOCKED', `${dir} is in use by another fleet run (pid ${holder}, still running): two fleet runs never share an out dir.`, {
      advice: `Let it finish (or stop it: kill ${holder}), or pass another --out. A lock whose process has gone (${file}) is taken over by the next run.`,
    });
  }
  if (before !== undefined) say(`took over the lock ${file}: pid ${holderOf(before)}, which held it, is no longer running`);
  return {
    file,
    release: async () => {
      // Only our own lock: should another run have taken it over meanwhile, it stays.
      if (parseIdentity(await readFile(file, 'utf8').catch(() => ''))?.pid === process.pid) await rm(file, { force: true });
    },
  };
}

/** The pid a lock names: `{"pid": N, ...}` as tinyx writes it, or a bare pid. */
export function holderOf(content: string): string {
  const identity = parseIdentity(content);
  if (identity) return String(identity.pid);
  return /^\s*\d+\s*$/.test(content) ? content.trim() : '?';
}
