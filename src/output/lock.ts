// The out dir's lock: one tinyx process at a time works in an out dir (minimize, verify, a fleet's app); a lock whose process is gone is taken over.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { holderDetails, takeLock } from '../util/lock.js';
import { settleOutput } from './write.js';

export const OUT_LOCK_FILE = 'tinyx.lock';
const SCRATCH = 'tmp-';

export interface OutLock {
  file: string;
  /** This holder's own dir for temporary files, in `<out>/.work` (made by whatever writes there first); removed on release. */
  scratch: string;
  release(): Promise<void>;
}

/**
 * Takes `<out>/tinyx.lock` (see takeLock: it names this process, its host, start time and command).
 * One held by a running process is TINYX_OUT_LOCKED (exit status 2); one whose process is gone is
 * taken over, and `say` tells. Taking it settles what a killed holder left: its scratch dir, and a
 * result it was replacing (the previous result or its own stays, whole: src/output/swap.ts).
 */
export async function lockOut(out: string, say: (message: string) => void): Promise<OutLock> {
  await mkdir(out, { recursive: true });
  const file = path.join(out, OUT_LOCK_FILE);
  const lock = await takeLock(file, say);
  if (!('release' in lock)) {
    const holder = lock.heldBy;
    const details = holderDetails(holder);
    const state = holder.host && holder.host !== hostname() ? 'on another host' : 'still running';
    throw new TinyxError('TINYX_OUT_LOCKED', `${out} is in use by another tinyx run (pid ${holder.pid}, ${state}${details ? `; ${details}` : ''}): one run at a time works in an out dir.`, {
      advice: `Let it finish (or stop it: kill ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}), or pass another --out. A lock whose process has gone is taken over by the next run; one from another host stays until you remove ${file}.`,
    });
  }
  try {
    const work = path.join(out, '.work');
    for (const name of await readdir(work).catch(() => [] as string[])) if (name.startsWith(SCRATCH)) await rm(path.join(work, name), { recursive: true, force: true });
    const scratch = path.join(work, `${SCRATCH}${process.pid}`);
    await settleOutput(out);
    return {
      file, scratch,
      release: async () => {
        await rm(scratch, { recursive: true, force: true });
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
