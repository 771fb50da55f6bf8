// The fleet's out dir lock: a running holder refuses a second run (exit status 2); a gone one is taken over, and the run says so.
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError, isTinyxError } from '../../src/errors.js';
import { LOCK_FILE, holderOf, lockFleet } from '../../src/fleet/lock.js';
import { processIdentity } from '../../src/util/proc.js';
import { exists } from '../../src/util/fsx.js';

const dir = () => mkdtemp(path.join(tmpdir(), 'tinyx-fleet-lock-'));

/** A process that ran and is gone: its pid and identity name no running process. */
async function goneProcess(): Promise<{ pid: number; identity: string }> {
  const child = execa('sh', ['-c', 'sleep 0.2']);
  const identity = JSON.stringify(await processIdentity(child.pid!));
  await child;
  return { pid: child.pid!, identity };
}

describe('fleet lock', () => {
  it('holds the pid while the run lasts and is gone after release', async () => {
    const out = await dir();
    const lock = await lockFleet(out, () => undefined);
    const content = await readFile(path.join(out, LOCK_FILE), 'utf8');
    expect(holderOf(content)).toBe(String(process.pid));
    await lock.release();
    expect(await exists(path.join(out, LOCK_FILE))).toBe(false);
  });

  it('refuses a second run while the first runs, naming its pid, as an input error (exit status 2)', async () => {
    const out = await dir();
    const first = await lockFleet(out, () => undefined);
    const error = await lockFleet(out, () => undefined).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_FLEET_LOCKED')).toBe(true);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toContain(`pid ${process.pid}, still running`);
    await first.release();
    await (await lockFleet(out, () => undefined)).release();
  });

  it('refuses a lock another running process holds, by its identity or its bare pid', async () => {
    const out = await dir();
    const other = execa('sleep', ['30']);
    try {
      await writeFile(path.join(out, LOCK_FILE), JSON.stringify(await processIdentity(other.pid!)));
      expect(isTinyxError(await lockFleet(out, () => undefined).catch((e: unknown) => e), 'TINYX_FLEET_LOCKED')).toBe(true);
      await writeFile(path.join(out, LOCK_FILE), `${other.pid}\n`);
      const error = await lockFleet(out, () => undefined).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`pid ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
      await other.catch(() => undefined);
    }
  });

  it('takes over the lock of a process that is gone, and says so', async () => {
    for (const form of ['identity', 'pid'] as const) {
      const out = await dir();
      const gone = await goneProcess();
      await writeFile(path.join(out, LOCK_FILE), form === 'identity' ? gone.identity : `${gone.pid}\n`);
      const said: string[] = [];
      const lock = await lockFleet(out, (m) => said.push(m));
      expect(said).toEqual([`took over the lock ${path.join(out, LOCK_FILE)}: pid ${gone.pid}, which held it, is no longer running`]);
      expect(holderOf(await readFile(path.join(out, LOCK_FILE), 'utf8'))).toBe(String(process.pid));
      await lock.release();
    }
  });

  it('releases only its own lock', async () => {
    const out = await dir();
    const lock = await lockFleet(out, () => undefined);
    await writeFile(path.join(out, LOCK_FILE), '{"pid":1,"startTime":1,"bootId":"x"}');
    await lock.release();
    expect(await exists(path.join(out, LOCK_FILE))).toBe(true);
  });
});
