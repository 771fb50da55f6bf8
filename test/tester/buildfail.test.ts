// A failed build is a verdict only when the config caused it: real make runs of stand-in trees,
// through the local executor and the evaluator, and the classifier on log lines as gcc and make print them.
import { execa } from 'execa';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { loadProfile } from '../../src/profile/load.js';
import { Evaluator } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import { BUILDING_MARKER } from '../../src/tester/build.js';
import { classifyBuildFailure } from '../../src/tester/buildfail.js';
import { LocalExecutor } from '../../src/tester/executor.js';
import { freePort } from '../../src/tester/ports.js';
import { Workspace } from '../../src/tester/workspace.js';
import { exists } from '../../src/util/fsx.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/tester');
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function evaluatorFor(tree: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-buildfail-'));
  dirs.push(dir);
  const profile = await loadProfile();
  const workspace = new Workspace('stand-in', path.join(dir, 'cache'));
  const slots = await workspace.claimSlots(1);
  const executor = new LocalExecutor({
    srcDir: path.join(FIXTURES, tree), initramfs: '/nonexistent', tests: '/bin/true', network: { guestPort: 80 }, qemu: profile.qemu,
    bootTimeoutMs: 10_000, readyTimeoutMs: 1_000, testTimeoutMs: 1_000,
  }, workspace, slots.slots);
  const journal = await Journal.open(path.join(dir, 'out'));
  const events: MinimizeEvent[] = [];
  const evaluator = new Evaluator({
    normalizer: { olddefconfig: async (c) => c }, executor, journal, runKey: 'k', logRoot: path.join(dir, 'out', 'logs'), emit: (e) => events.push(e),
  });
  return { dir, workspace, journal, events, evaluator, release: slots.release };
}

describe('a build killed from outside (real make, SIGKILLed mid-build)', () => {
  it('is tried once more, then stops the run with TINYX_BUILD_FAILED and journals nothing', async () => {
    const { dir, workspace, journal, events, evaluator, release } = await evaluatorFor('killed-tree');
    const candidate = { config: new Map([['A', 'y']]), hash: 'killed' };
    const error = await evaluator.evaluate(candidate, 'console=ttyS0', '-A').catch((e: unknown) => e);
    await release();
    expect(error).toMatchObject({ code: 'TINYX_BUILD_FAILED' });
    expect((error as Error).message).toMatch(/make was killed by SIGKILL/);
    expect(events.filter((e) => e.type === 'warning' && e.message.includes('trying once more'))).toHaveLength(1);
    expect(await readdir(path.join(dir, 'out', 'logs'))).toHaveLength(2);
    expect(journal.get(evaluator.keyOf(candidate, 'console=ttyS0'))).toBeUndefined();
    expect(await readFile(path.join(dir, 'out', 'journal.jsonl'), 'utf8').catch(() => '')).toBe('');
    // The slot keeps its marker: the next build there first removes what the killed one wrote.
    expect(await exists(path.join(workspace.slotDir(0), BUILDING_MARKER))).toBe(true);
  });
});

describe('a build that fails on its config (real make, a compile error)', () => {
  it('is a build-error verdict with the first error line as its reason, journaled and not retried', async () => {
    const { journal, events, evaluator, release, workspace } = await evaluatorFor('error-tree');
    const candidate = { config: new Map([['A', 'y']]), hash: 'broken' };
    const verdict = await evaluator.evaluate(candidate, 'console=ttyS0', '-A');
    await release();
    expect(verdict.status).toBe('build-error');
    expect(verdict.reason).toBe("fs/open.c:12:5: error: implicit declaration of function 'do_thing'");
    expect(journal.get(evaluator.keyOf(candidate, 'console=ttyS0'))?.status).toBe('build-error');
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    expect(await exists(path.join(workspace.slotDir(0), BUILDING_MARKER))).toBe(false);
  });
});

describe('classifyBuildFailure', () => {
  const machinery = [
    ['gcc: fatal error: Killed signal terminated program cc1', /out of memory/],
    ['fs/inode.o: No space left on device', /disk is full/],
    ['/bin/sh: 1: flex: not found', /tool is missing/],
    ['make[2]: *** [scripts/Makefile.build:250: mm/slub.o] Error 137', /killed by a signal/],
    ['cc1: out of memory allocating 65536 bytes', /out of memory/],
  ] as const;
  for (const [line, why] of machinery) {
    it(`calls "${line}" the machinery's`, () => {
      const failure = classifyBuildFailure(`  CC      init/main.o\n${line}\nmake: *** [Makefile:1991: .] Error 2\n`, 2);
      expect(failure.kind).toBe('infrastructure');
      expect(failure.reason).toMatch(why);
    });
  }

  it('calls a compile or link error the config\'s, naming the first error line', () => {
    const log = "  CC      kernel/fork.o\nkernel/fork.c:99:2: error: 'x' undeclared\nkernel/exit.c:5:1: error: other\nmake[1]: *** [kernel/fork.o] Error 1\n";
    expect(classifyBuildFailure(log, 2)).toEqual({ kind: 'config', reason: "kernel/fork.c:99:2: error: 'x' undeclared" });
    expect(classifyBuildFailure('ld: vmlinux.o: in function `f\':\nmm/x.c:(.text+0x1): undefined reference to `g\'\n', 2).reason).toMatch(/undefined reference to/);
  });

  it('calls a failure no line explains the machinery\'s, not the config\'s', () => {
    expect(classifyBuildFailure('nothing useful\nmake: *** [Makefile:1991: .] Error 2\n', 2)).toEqual({
      kind: 'infrastructure', reason: 'make exited with 2 and no line shows a compile, link or Kconfig error of the config: make: *** [Makefile:1991: .] Error 2',
    });
  });

  it('calls a make that a signal ended the machinery\'s', () => {
    expect(classifyBuildFailure('', undefined, 'SIGKILL')).toEqual({ kind: 'infrastructure', reason: 'make was killed by SIGKILL' });
  });
});

/** make run in `dir` (its build log: stdout and stderr together) and its exit status, in the C locale. */
async function makeIn(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ log: string; exitCode: number }> {
  const result = await execa('make', ['-C', dir, ...args], { all: true, reject: false, env: { LC_ALL: 'C', ...env } });
  return { log: result.all ?? '', exitCode: result.exitCode ?? -1 };
}

/** A directory with `files` and a Makefile whose default target runs `recipe`. */
async function project(files: Record<string, string>, recipe: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-buildlog-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  await writeFile(path.join(dir, 'Makefile'), `all:\n\t${recipe}\n`);
  return dir;
}

const MAIN = 'int main(void) { return 0; }\n';

describe('classifyBuildFailure on the logs of real failing builds', () => {
  it('calls a compiler that cannot run cc1 (gcc moved away from its own tools) the machinery\'s, naming gcc\'s line', async () => {
    const dir = await project({ 't.c': MAIN }, '$(CURDIR)/bin/gcc -c t.c -o t.o');
    await mkdir(path.join(dir, 'bin'));
    await copyFile(await realpath('/usr/bin/gcc'), path.join(dir, 'bin', 'gcc'));
    await chmod(path.join(dir, 'bin', 'gcc'), 0o755);
    const { log, exitCode } = await makeIn(dir);
    expect(log).toMatch(/gcc: fatal error: cannot execute 'cc1'/);
    expect(classifyBuildFailure(log, exitCode)).toEqual({ kind: 'infrastructure', reason: expect.stringMatching(/^a build tool is missing: gcc: fatal error: cannot execute 'cc1'/) });
  });

  it('calls a kernel tree kbuild refuses for its path (moved under a colon) the machinery\'s', async () => {
    const source = await resolveKernelSource();
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-moved-'));
    dirs.push(dir);
    const tree = path.join(dir, 'moved:tree');
    await mkdir(tree);
    await symlink(path.join(source.dir, 'Makefile'), path.join(tree, 'Makefile'));
    const { log, exitCode } = await makeIn(tree, [`O=${path.join(dir, 'out')}`, 'olddefconfig']);
    expect(classifyBuildFailure(log, exitCode)).toEqual({
      kind: 'infrastructure', reason: expect.stringMatching(/^kbuild refuses the kernel tree's path \(was it moved\?\): Makefile:\d+: \*\*\* source directory cannot contain spaces or colons/),
    });
  });

  it('calls distcc failing to reach its hosts (its own exit status) the machinery\'s, naming distcc\'s line', async () => {
    const dir = await project({ 't.c': MAIN }, 'distcc gcc -c t.c -o t.o');
    await mkdir(path.join(dir, '.distcc'));
    const { log, exitCode } = await makeIn(dir, [], { DISTCC_HOSTS: `127.0.0.1:${await freePort()}`, DISTCC_FALLBACK: '0', DISTCC_SKIP_LOCAL_RETRY: '1', DISTCC_DIR: path.join(dir, '.distcc') });
    expect(log).toMatch(/^make: \*\*\* \[Makefile:2: all\] Error 1\d\d$/m);
    expect(classifyBuildFailure(log, exitCode)).toEqual({ kind: 'infrastructure', reason: expect.stringMatching(/^distcc failed .*: distcc\[\d+\] ERROR: nonblocking connect to 127\.0\.0\.1:\d+ failed: Connection refused$/) });
  });

  it('calls a make killed by SIGKILL, as a worker\'s shell reports it (exit 137, no signal, no line), the machinery\'s', async () => {
    const killed = path.join(FIXTURES, 'killed-tree');
    const result = await execa('sh', ['-c', `timeout 60 make -C ${killed} bzImage; exit $?`], { all: true, reject: false });
    expect({ exitCode: result.exitCode, signal: result.signal }).toEqual({ exitCode: 137, signal: undefined });
    expect(classifyBuildFailure(result.all ?? '', result.exitCode)).toEqual({ kind: 'infrastructure', reason: 'make was killed by SIGKILL' });
  });

  it('calls a compile error in a source file the config\'s, also when distcc ran the compile', async () => {
    const dir = await project({ 'fork.c': 'int f(void) { return undeclared_x; }\n' }, 'gcc -c fork.c -o fork.o');
    const { log, exitCode } = await makeIn(dir);
    expect(classifyBuildFailure(log, exitCode)).toEqual({ kind: 'config', reason: "fork.c:1:22: error: 'undeclared_x' undeclared (first use in this function)" });
    await writeFile(path.join(dir, 'Makefile'), 'all:\n\tdistcc gcc -c fork.c -o fork.o\n');
    await mkdir(path.join(dir, '.distcc'));
    const distcc = await makeIn(dir, [], { DISTCC_HOSTS: 'localhost', DISTCC_DIR: path.join(dir, '.distcc') });
    expect(distcc.log).toMatch(/distcc\[\d+\] ERROR: compile fork.c on localhost failed/);
    expect(classifyBuildFailure(distcc.log, distcc.exitCode)).toEqual({ kind: 'config', reason: "fork.c:1:22: error: 'undeclared_x' undeclared (first use in this function)" });
  });

  it('calls a link error the config\'s', async () => {
    const dir = await project({ 'main.c': 'int missing(void);\nint main(void) { return missing(); }\n' }, 'gcc main.c -o main');
    const { log, exitCode } = await makeIn(dir);
    expect(classifyBuildFailure(log, exitCode)).toEqual({ kind: 'config', reason: expect.stringMatching(/undefined reference to `missing'$/) });
  });

  it.skipIf(!process.env.TINYX_TEST_START_BUILD_DIR)('calls a Kconfig error (the kernel\'s own conf) the config\'s', async () => {
    const conf = path.join(process.env.TINYX_TEST_START_BUILD_DIR!, 'scripts/kconfig/conf');
    const dir = await project({ Kconfig: 'config FOO\n\tbool "foo"\n\tdepends on\n' }, `${conf} --olddefconfig Kconfig`);
    const { log, exitCode } = await makeIn(dir, [], { srctree: dir });
    expect(classifyBuildFailure(log, exitCode)).toEqual({ kind: 'config', reason: 'Kconfig:4: syntax error' });
  });
});
