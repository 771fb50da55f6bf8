// tryLockFile: a pid lock that a live process holds and a dead one gives up.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryLockFile } from '../../src/util/fsx.js';

describe('tryLockFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a free lock with our pid', async () => {
    const lock = path.join(dir, 'sub', 'x.lock');
    expect(await tryLockFile(lock)).toBe(true);
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
  });

  it('is refused while another live process holds it, and taken once that process is gone', async () => {
    const lock = path.join(dir, 'x.lock');
    const holder = spawn('sleep', ['60']);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await writeFile(lock, String(holder.pid));
      expect(await tryLockFile(lock)).toBe(false);
      expect(await readFile(lock, 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    expect(await tryLockFile(lock)).toBe(true);
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
  });
});
