// The fleet's out dir lock: two fleet runs never work in the same out dir; a lock whose process is gone is taken over.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { holderDetails, lockHolder, takeLock, type HeldLock } from '../util/lock.js';

export const LOCK_FILE = 'fleet.lock';

export type FleetLock = HeldLock;

/**
 * Takes `<dir>/fleet.lock` (see takeLock: it names this process, its host, start time and command).
 * A lock left by a process that is no longer running is taken over, and `say` tells; one held by a
 * running process is TINYX_FLEET_LOCKED (exit status 2). Each app's own out dir has a lock of its
 * own besides (src/output/lock.ts), which the fleet takes while it works there.
 */
export async function lockFleet(dir: string, say: (message: string) => void): Promise<FleetLock> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const lock = await takeLock(file, say);
  if ('release' in lock) return lock;
  const holder = lock.heldBy;
  const details = holderDetails(holder);
  throw new TinyxError('TINYX_FLEET_LOCKED', `${dir} is in use by another fleet run (pid ${holder.pid}, still running${details ? `; ${details}` : ''}): two fleet runs never share an out dir.`, {
    advice: `Let it finish (or stop it: kill ${holder.pid}), or pass another --out. A lock whose process has gone (${file}) is taken over by the next run.`,
  });
}

/** The pid a lock names: `{"pid": N, ...}` as tinyx writes it, or a bare pid. */
export function holderOf(content: string): string {
  return lockHolder(content).pid;
}
