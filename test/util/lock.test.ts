// tryLockFile: a lock naming its holder's process identity, held while that very process runs, broken by exactly one taker.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryLockFile } from '../../src/util/fsx.js';
import { ownIdentity, parseIdentity, processIdentity, type ProcessIdentity } from '../../src/util/proc.js';

const srcUtil = path.resolve(__dirname, '../../src/util');

/** A live child process (sleep) and its identity; kill() stops it and waits until it is gone. */
async function liveChild(): Promise<{ identity: ProcessIdentity; kill: () => Promise<void> }> {
  const child = spawn('sleep', ['60']);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const identity = (await processIdentity(child.pid!))!;
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { identity, kill };
}

/** src/util/{fsx,proc}.ts as plain ESM in `dir`, for child processes to import. */
async function transpiledFsx(dir: string): Promise<string> {
  for (const name of ['fsx', 'proc']) {
    const source = await readFile(path.join(srcUtil, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    await writeFile(path.join(dir, `${name}.js`), outputText);
  }
  return path.join(dir, 'fsx.js');
}

describe('tryLockFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a free lock with our identity, leaving no other file behind', async () => {
    const lock = path.join(dir, 'sub', 'x.lock');
    expect(await tryLockFile(lock)).toBe(true);
    expect(parseIdentity(await readFile(lock, 'utf8'))).toEqual(await ownIdentity());
    expect(await readdir(path.dirname(lock))).toEqual(['x.lock']);
    // Held by this very process: a second take is refused too.
    expect(await tryLockFile(lock)).toBe(false);
  });

  it('is refused while another live process holds it, and taken once that process is gone', async () => {
    const lock = path.join(dir, 'x.lock');
    const holder = await liveChild();
    const content = JSON.stringify(holder.identity);
    try {
      await writeFile(lock, content);
      expect(await tryLockFile(lock)).toBe(false);
      expect(await readFile(lock, 'utf8')).toBe(content);
    } finally {
      await holder.kill();
    }
    expect(await tryLockFile(lock)).toBe(true);
    expect(parseIdentity(await readFile(lock, 'utf8'))).toEqual(await ownIdentity());
  });

  it('understands a bare pid (an older lock): held while that pid runs', async () => {
    const lock = path.join(dir, 'x.lock');
    const holder = await liveChild();
    try {
      await writeFile(lock, `${holder.identity.pid}\n`);
      expect(await tryLockFile(lock)).toBe(false);
    } finally {
      await holder.kill();
    }
    expect(await tryLockFile(lock)).toBe(true);
  });

  it('takes a lock whose pid runs but is another process (wrong start time or boot, as after a reboot)', async () => {
    const own = await ownIdentity();
    const holder = await liveChild();
    try {
      const stale: ProcessIdentity[] = [
        { ...own, startTime: own.startTime - 1 },
        { ...holder.identity, startTime: holder.identity.startTime + 1 },
        { ...holder.identity, bootId: '00000000-0000-0000-0000-000000000000' },
      ];
      for (const [i, identity] of stale.entries()) {
        const lock = path.join(dir, `${i}.lock`);
        await writeFile(lock, JSON.stringify(identity));
        expect(await tryLockFile(lock)).toBe(true);
        expect(parseIdentity(await readFile(lock, 'utf8'))).toEqual(own);
      }
    } finally {
      await holder.kill();
    }
  });

  it('gets past a breaker that died while breaking (a stale break lock)', async () => {
    const lock = path.join(dir, 'x.lock');
    const dead = await liveChild();
    await dead.kill();
    await writeFile(lock, JSON.stringify(dead.identity));
    await writeFile(`${lock}.break`, JSON.stringify(dead.identity));
    expect(await tryLockFile(lock)).toBe(true);
    expect(parseIdentity(await readFile(lock, 'utf8'))).toEqual(await ownIdentity());
    expect(await readdir(dir)).toEqual(['x.lock']);
  });

  it('lets exactly one of several concurrent takes in this process break a stale lock', async () => {
    for (let round = 0; round < 20; round++) {
      const lock = path.join(dir, `${round}.lock`);
      await writeFile(lock, JSON.stringify({ ...(await ownIdentity()), startTime: 1 }));
      const taken = await Promise.all(Array.from({ length: 8 }, () => tryLockFile(lock)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      expect(parseIdentity(await readFile(lock, 'utf8'))).toEqual(await ownIdentity());
    }
    expect((await readdir(dir)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `${i}.lock`).sort());
  });

  it('lets exactly one of several processes started at once break a stale lock', async () => {
    const fsx = await transpiledFsx(dir);
    const locks = path.join(dir, 'locks');
    await mkdir(locks);
    const dead = await liveChild();
    await dead.kill();
    for (let round = 0; round < 4; round++) {
      const lock = path.join(locks, `${round}.lock`);
      await writeFile(lock, JSON.stringify(dead.identity));
      const go = Date.now() + 1_500;
      // Each taker reports, then stays alive (so its lock stays held) until its stdin closes.
      const takers = Array.from({ length: 6 }, () => execa('node', ['--input-type=module', '-e', `
        const { tryLockFile } = await import(${JSON.stringify(fsx)});
        while (Date.now() < ${go});
        process.stdout.write(String(await tryLockFile(${JSON.stringify(lock)})) + ' ' + process.pid + '\\n');
        process.stdin.resume();
      `], { stdin: 'pipe' }));
      const results = await Promise.all(takers.map((t) => new Promise<string[]>((resolve) => t.stdout.once('data', (d: Buffer) => resolve(String(d).trim().split(' '))))));
      const winners = results.filter(([taken]) => taken === 'true');
      expect(winners).toHaveLength(1);
      expect(parseIdentity(await readFile(lock, 'utf8'))?.pid).toBe(Number(winners[0]![1]));
      for (const taker of takers) taker.stdin.end();
      await Promise.all(takers);
    }
    expect((await readdir(locks)).sort()).toEqual(['0.lock', '1.lock', '2.lock', '3.lock']);
  });
});
