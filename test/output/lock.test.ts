// The out dir's lock: it names its holder, refuses a second holder (exit status 2), takes over a gone one's and settles what it left.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError, isTinyxError } from '../../src/errors.js';
import { lockOut, OUT_LOCK_FILE } from '../../src/output/lock.js';
import { processIdentity } from '../../src/util/proc.js';

const dir = () => mkdtemp(path.join(tmpdir(), 'tinyx-out-lock-'));

/** A process that ran and is gone: its identity names no running process. */
async function goneProcess(): Promise<string> {
  const child = execa('sh', ['-c', 'sleep 0.2']);
  const identity = JSON.stringify(await processIdentity(child.pid!));
  await child;
  return identity;
}

describe('lockOut', () => {
  it('names its holder (pid, host, start time, command), refuses a second holder with TINYX_OUT_LOCKED, and is gone after release', async () => {
    const out = path.join(await dir(), 'out');
    const lock = await lockOut(out, () => undefined);
    const held = JSON.parse(await readFile(path.join(out, OUT_LOCK_FILE), 'utf8')) as Record<string, unknown>;
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' ').slice(0, 300) });
    expect(Date.now() - Date.parse(String(held.since))).toBeLessThan(60_000);
    expect(lock.scratch).toBe(path.join(out, '.work', `tmp-${process.pid}`));
    await mkdir(lock.scratch, { recursive: true });

    const error = await lockOut(out, () => undefined).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_OUT_LOCKED')).toBe(true);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toContain(`pid ${process.pid}, still running; host ${hostname()}, since ${String(held.since)}: ${String(held.command)}`);
    expect((error as { advice: string }).advice).toContain(`kill ${process.pid} on ${hostname()}`);

    await lock.release();
    expect(existsSync(path.join(out, OUT_LOCK_FILE))).toBe(false);
    expect(existsSync(lock.scratch)).toBe(false);
    await (await lockOut(out, () => undefined)).release();
  });

  it('takes over the lock of a process that is gone, says so, and removes the scratch dirs earlier holders left', async () => {
    const out = await dir();
    await writeFile(path.join(out, OUT_LOCK_FILE), await goneProcess());
    await mkdir(path.join(out, '.work', 'tmp-1', 'rootfs'), { recursive: true });
    await writeFile(path.join(out, '.work', 'tmp-1', 'initramfs.cpio.gz'), 'left by a killed run');
    await mkdir(path.join(out, '.work', 'logs'));
    const said: string[] = [];
    const lock = await lockOut(out, (m) => said.push(m));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^took over the lock ${path.join(out, OUT_LOCK_FILE)}: pid \\d+, which held it, is no longer running$`));
    expect(await readdir(path.join(out, '.work'))).toEqual(['logs']);
    await lock.release();
  });

  it('refuses a lock from another host, whose processes it cannot see, however long gone its pid looks here', async () => {
    const out = await dir();
    const gone = JSON.parse(await goneProcess()) as Record<string, unknown>;
    await writeFile(path.join(out, OUT_LOCK_FILE), JSON.stringify({ ...gone, host: 'elsewhere', since: '2025-01-31T03:00:00.000Z', command: 'tinyx minimize' }));
    const error = await lockOut(out, () => undefined).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_OUT_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(`pid ${String(gone.pid)}, on another host; host elsewhere, since 2025-01-31T03:00:00.000Z: tinyx minimize`);
    expect((error as { advice: string }).advice).toContain(`one from another host stays until you remove ${path.join(out, OUT_LOCK_FILE)}`);
  });
});
