// Logs on a disk that refuses writes (/dev/full: every write fails with ENOSPC): the child a log
// serves is stopped, process group and all, and the failure is an infrastructure TinyxError, never a
// crash of tinyx and never a verdict.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isInfrastructureError } from '../../src/errors.js';
import { resolveApp } from '../../src/deps/index.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import { Evaluator } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import { bootAndTest } from '../../src/tester/boot.js';
import { BUILDING_MARKER, buildKernel } from '../../src/tester/build.js';
import { LocalExecutor } from '../../src/tester/executor.js';
import { runTests } from '../../src/tester/probe.js';
import { Workspace } from '../../src/tester/workspace.js';
import { exists } from '../../src/util/fsx.js';
import { startKernel } from '../helpers/start-kernel.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-logfull-'));
  dirs.push(dir);
  return dir;
}

/** A `sleep` no other test runs, so that counting its processes counts this test's only. */
const uniqueSleep = () => `${300 + Math.floor(Math.random() * 600)}.${process.pid}`;

/** Live processes whose command line contains `text`. */
async function processesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    if (cmdline.includes(text)) found.push(cmdline);
  }
  return found;
}

describe('a build log on a full disk', () => {
  it('stops make and what it started, leaves the slot marked, and throws TINYX_WRITE_FAILED', async () => {
    const dir = await scratch();
    const sleep = uniqueSleep();
    const tree = path.join(dir, 'tree');
    await mkdir(tree);
    await writeFile(path.join(tree, 'Makefile'), `olddefconfig:\n\t@true\nbzImage:\n\t@echo "  CC      init/main.o"; sleep ${sleep} & sleep ${sleep}\n`);
    const logFile = path.join(dir, 'logs', 'build.log');
    await mkdir(path.dirname(logFile));
    await symlink('/dev/full', logFile);
    const started = Date.now();
    const error = await buildKernel({
      srcDir: tree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile,
    }).catch((e: unknown) => e);
    expect(isInfrastructureError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TINYX_WRITE_FAILED', message: expect.stringContaining(`Could not write ${logFile}: ENOSPC`) });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await processesWith(`sleep ${sleep}`)).toEqual([]);
    // make did not finish: the next build in this slot first drops what this one wrote.
    expect(await exists(path.join(dir, 'slot', BUILDING_MARKER))).toBe(true);
  });
});

describe('a test log on a full disk', () => {
  it('stops the tests with their children and throws TINYX_WRITE_FAILED instead of a verdict', async () => {
    const dir = await scratch();
    const sleep = uniqueSleep();
    const tests = path.join(dir, 'probe.sh');
    await writeFile(tests, `#!/bin/sh\necho probing\nsleep ${sleep} &\nsleep ${sleep}\n`);
    await chmod(tests, 0o755);
    await symlink('/dev/full', path.join(dir, 'test.log'));
    const started = Date.now();
    const error = await runTests({ tests, host: '127.0.0.1', port: 1, consoleLog: '/dev/null', logFile: path.join(dir, 'test.log'), timeoutMs: 120_000 }).catch((e: unknown) => e);
    expect(isInfrastructureError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TINYX_WRITE_FAILED' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await processesWith(`sleep ${sleep}`)).toEqual([]);
  });
});

describe('a console log on a full disk (real QEMU, the start kernel)', () => {
  it('kills QEMU and throws TINYX_WRITE_FAILED instead of a verdict', async () => {
    const dir = await scratch();
    const kernel = process.env.TINYX_TEST_BZIMAGE ?? (await startKernel()).bzImage;
    const profile = await loadProfile();
    const manifest = await resolveApp('/usr/bin/false');
    const initramfs = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [] }, outFile: path.join(dir, 'false.cpio.gz') });
    const logDir = path.join(dir, 'logs');
    await mkdir(logDir);
    await symlink('/dev/full', path.join(logDir, 'console.log'));
    const error = await bootAndTest({
      bzImage: kernel, initramfs: initramfs.file, cmdline: profile.boot.cmdline, qemu: profile.qemu,
      tests: '/bin/true', logDir, bootTimeoutMs: 120_000, readyTimeoutMs: 10_000, testTimeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(isInfrastructureError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TINYX_WRITE_FAILED', message: expect.stringContaining('console.log: ENOSPC') });
    expect(await processesWith(initramfs.file)).toEqual([]);
  });
});

describe('a slot file on a full disk, through the local executor and the evaluator', () => {
  it('is tried once more, then stops the run with TINYX_WRITE_FAILED and journals nothing', async () => {
    const dir = await scratch();
    const profile = await loadProfile();
    const workspace = new Workspace('stand-in', path.join(dir, 'cache'));
    const slots = await workspace.claimSlots(1);
    // The config make would read is the write that fails (a promise's error, not a stream's).
    await mkdir(workspace.slotDir(0), { recursive: true });
    await symlink('/dev/full', path.join(workspace.slotDir(0), '.config'));
    const executor = new LocalExecutor({
      srcDir: path.resolve(__dirname, '../fixtures/tester/stamp-tree'), initramfs: '/nonexistent', tests: '/bin/true', qemu: profile.qemu,
      bootTimeoutMs: 10_000, readyTimeoutMs: 1_000, testTimeoutMs: 1_000,
    }, workspace, slots.slots);
    const journal = await Journal.open(path.join(dir, 'out'));
    const events: MinimizeEvent[] = [];
    const evaluator = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal, runKey: 'k', logRoot: path.join(dir, 'out', 'logs'), emit: (e) => events.push(e),
    });
    const candidate = { config: new Map([['A', 'y']]), hash: 'diskfull' };
    const error = await evaluator.evaluate(candidate, 'console=ttyS0', '-A').catch((e: unknown) => e);
    await slots.release();
    expect(error).toMatchObject({ code: 'TINYX_WRITE_FAILED', message: expect.stringContaining(`Could not write a file in ${workspace.slotDir(0)}`) });
    expect((error as Error).message).toContain('ENOSPC');
    expect(events.filter((e) => e.type === 'warning' && e.message.includes('trying once more'))).toHaveLength(1);
    expect(journal.get(evaluator.keyOf(candidate, 'console=ttyS0'))).toBeUndefined();
    expect(await readFile(path.join(dir, 'out', 'journal.jsonl'), 'utf8').catch(() => '')).toBe('');
  });
});
