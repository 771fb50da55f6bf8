// A failed build is a verdict only when the config caused it: real make runs of stand-in trees,
// through the local executor and the evaluator, and the classifier on log lines as gcc and make print them.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/load.js';
import { Evaluator } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import { BUILDING_MARKER } from '../../src/tester/build.js';
import { classifyBuildFailure } from '../../src/tester/buildfail.js';
import { LocalExecutor } from '../../src/tester/executor.js';
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
    srcDir: path.join(FIXTURES, tree), initramfs: '/nonexistent', tests: '/bin/true', port: 80, qemu: profile.qemu,
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
    expect(classifyBuildFailure('nothing useful\n', 2)).toEqual({ kind: 'config', reason: 'make exited with 2' });
  });

  it('calls a make that a signal ended the machinery\'s', () => {
    expect(classifyBuildFailure('', undefined, 'SIGKILL')).toEqual({ kind: 'infrastructure', reason: 'make was killed by SIGKILL' });
  });
});
