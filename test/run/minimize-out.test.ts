// minimize and its out dir: one run at a time (real processes), and a run that stops leaves the out dir's result and run.json as they were.
import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { lockOut, OUT_LOCK_FILE } from '../../src/output/lock.js';
import { writeOutput } from '../../src/output/write.js';
import { installedPackages, TARBALL_DIR } from '../../src/kconfig/tarball.js';
import { loadProfile } from '../../src/profile/load.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { minimize } from '../../src/run/minimize.js';
import { cacheRoot } from '../../src/util/paths.js';
import { report } from '../output/report-fixture.js';

/** The compiled CLI (scripts/setup.sh builds dist/, as `npm test` does first). */
const CLI = path.resolve(__dirname, '../../dist/cli/main.js');
const haveTree = existsSync(path.join(cacheRoot(), 'kernel/linux-source-6.1.unpacked'));

let dir: string;
let tests: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-minimize-out-'));
  tests = path.join(dir, 'tests.sh');
  await writeFile(tests, '#!/bin/sh\nexit 0\n');
  await chmod(tests, 0o755);
});

afterAll(async () => {
  await execa('rm', ['-rf', dir]);
});

/** Polls until `check` holds (or fails the test after `ms`). */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('two minimize processes on one --out', () => {
  it('refuses the second at once with TINYX_OUT_LOCKED, naming the first, which holds the lock from before the kernel tarball is read, unaffected', async () => {
    expect(existsSync(CLI), `${CLI}: run scripts/setup.sh (npm run build)`).toBe(true);
    // A private cache whose tarball identity memos are FIFOs: a run blocks on reading one, at the
    // start of the kernel stage (before it hashes or unpacks the tarball), for as long as the test wants.
    const cache = path.join(dir, 'cache');
    await mkdir(path.join(cache, 'kernel'), { recursive: true });
    const memos = (await installedPackages(TARBALL_DIR)).map((p) => path.join(cache, 'kernel', `${p}.tar.xz.identity`));
    expect(memos.length).toBeGreaterThan(0);
    for (const memo of memos) await execa('mkfifo', [memo]);
    const out = path.join(dir, 'out');
    const argv = [CLI, 'minimize', '--app', '/bin/true', '--tests', tests, '--out', out];
    const env = { TINYX_CACHE: cache };
    const first: ResultPromise = execa('node', argv, { env, reject: false });
    try {
      const lockFile = path.join(out, OUT_LOCK_FILE);
      await until(() => existsSync(lockFile), 60_000, 'the first run\'s lock');
      const held = await readFile(lockFile, 'utf8');
      expect(JSON.parse(held)).toMatchObject({ pid: first.pid, host: hostname() });

      const started = Date.now();
      const second = await execa('node', argv, { env, reject: false });
      const seconds = (Date.now() - started) / 1000;
      expect(second.exitCode, second.stderr).toBe(2);
      expect(second.stderr).toContain('TINYX_OUT_LOCKED');
      expect(second.stderr).toContain(`${out} is in use by another tinyx run (pid ${first.pid}, still running; host ${hostname()}, since `);
      expect(second.stderr).toContain(`${CLI} minimize --app /bin/true`);
      expect(seconds).toBeLessThan(30);

      // The first is still where it was: running, its lock as it wrote it, the tarball not yet read.
      expect(first.exitCode).toBeNull();
      expect(await readFile(lockFile, 'utf8')).toBe(held);
      expect((await readdir(path.join(cache, 'kernel'))).sort()).toEqual(memos.map((m) => path.basename(m)).sort());
      expect(existsSync(path.join(out, '.work'))).toBe(false);
    } finally {
      // A read of a FIFO holds even process.exit() up: kill -9, which leaves the lock behind.
      first.kill('SIGKILL');
    }
    expect((await first).signal).toBe('SIGKILL');
    // The next run takes that lock over.
    const said: string[] = [];
    const lock = await lockOut(out, (m) => said.push(m));
    expect(said).toEqual([`took over the lock ${path.join(out, OUT_LOCK_FILE)}: pid ${first.pid}, which held it, is no longer running`]);
    await lock.release();
  }, 180_000);
});

describe.skipIf(!haveTree)('a minimize run that stops before its result', () => {
  it('leaves the result and run.json of the run before, and its temporary files only in its own dir of .work, which goes with it', async () => {
    const out = path.join(dir, 'stopped');
    const bzImage = path.join(dir, 'bzImage');
    await writeFile(bzImage, 'kernel');
    await writeFile(path.join(dir, 'initramfs'), 'initramfs');
    const before = { app: '/bin/false', port: 8080 };
    await writeOutput({
      bzImage, initramfs: path.join(dir, 'initramfs'), config: 'CONFIG_NET=y\n', defconfig: 'CONFIG_NET=y\n', cmdline: 'console=ttyS0',
      launch: { machine: 'pc', memory: '64M', extraArgs: [], network: { guestPort: 8080 }, initramfs: 'initramfs.cpio.gz', accel: 'tcg', reason: 'asked for', targets: ['qemu'] }, report, run: before,
    }, out);
    const controller = new AbortController();
    const work: string[][] = [];
    const events: MinimizeEvent[] = [];
    const error = await minimize({
      app: '/bin/true', appArgs: [], tests, port: 0, profile: await loadProfile(), out, compression: 'gzip', compareCompression: [], accel: 'tcg',
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        // Ctrl-C once the initramfs is packed: the run stops where the next stage would start.
        if (e.type === 'info' && e.message.startsWith('initramfs: gzip')) {
          work.push([...walk(path.join(out, '.work'))]);
          controller.abort();
        }
      },
    }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_INTERRUPTED'), String(error)).toBe(true);
    expect(work).toEqual([[`tmp-${process.pid}/initramfs.cpio.gz`]]);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'))).toEqual(before);
    expect(await readFile(path.join(out, 'bzImage'), 'utf8')).toBe('kernel');
    expect(await readdir(path.join(out, '.work'))).toEqual([]);
    expect(existsSync(path.join(out, OUT_LOCK_FILE))).toBe(false);
  }, 120_000);
});

/** The files under `root`, relative to it (none when it does not exist). */
function* walk(root: string, at = ''): Generator<string> {
  for (const entry of existsSync(path.join(root, at)) ? readdirSync(path.join(root, at), { withFileTypes: true }) : []) {
    const rel = path.join(at, entry.name);
    if (entry.isDirectory()) yield* walk(root, rel);
    else yield rel;
  }
}
