// A journaled verdict is replayed only into a run with the same timeouts: a timeout under 5 s says nothing of a run that allows 120 s.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFacts } from '../../src/plan/host.js';
import { makePlan } from '../../src/plan/plan.js';
import { loadProfile } from '../../src/profile/load.js';
import { openSearchContext } from '../../src/search/context.js';
import { Evaluator, type Normalized } from '../../src/search/evaluator.js';
import { Journal } from '../../src/search/journal.js';
import { runKey, type RunKeyFacts } from '../../src/search/journal-key.js';
import type { Executor, Job } from '../../src/tester/executor.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { cacheRoot } from '../../src/util/paths.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-journal-key-'));
  dirs.push(dir);
  return dir;
}

/** An executor whose tests take 6 s: under a test timeout below that they time out, above it they pass. */
function sixSecondTests(testTimeoutMs: () => number): Executor & { jobs: Job[] } {
  const jobs: Job[] = [];
  return {
    name: 'six-second-tests', slots: 1, jobs,
    async run(job: Job): Promise<Verdict> {
      jobs.push(job);
      await mkdir(job.logDir, { recursive: true });
      const pass = testTimeoutMs() >= 6_000;
      return {
        status: pass ? 'pass' : 'fail', reason: pass ? 'tests passed' : `tests timed out after ${testTimeoutMs() / 1000} s`,
        configHash: job.configHash, cmdline: job.cmdline, built: false, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '',
      };
    },
    async close() {},
  };
}

const facts = (testTimeoutMs: number, accel?: string): RunKeyFacts => ({
  tree: '6.1-abc', tests: 'sha-tests', network: { guestPort: 80 }, qemu: { ...(accel ? { accel } : {}) } as RunKeyFacts['qemu'],
  bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, testTimeoutMs,
});

describe('journal keys and timeouts', () => {
  it('does not replay a verdict taken with a 5 s test timeout into a run with 120 s, and replays it into another 5 s run (whatever the accelerator)', async () => {
    const dir = await tempDir();
    const candidate: Normalized = { config: new Map([['A', 'y']]), hash: 'h1' };
    const run = async (testTimeoutMs: number, accel?: string) => {
      const executor = sixSecondTests(() => testTimeoutMs);
      const evaluator = new Evaluator({
        normalizer: { olddefconfig: async (c) => c }, executor, journal: await Journal.open(dir), runKey: runKey(facts(testTimeoutMs, accel)),
        logRoot: path.join(dir, 'logs'), emit: () => undefined, confirmFailures: 0,
      });
      return { verdict: await evaluator.evaluate(candidate, 'console=ttyS0', '-A'), jobs: executor.jobs.length };
    };
    expect(await run(5_000)).toMatchObject({ verdict: { status: 'fail', reason: 'tests timed out after 5 s' }, jobs: 1 });
    expect(await run(120_000)).toMatchObject({ verdict: { status: 'pass' }, jobs: 1 });
    expect(await run(5_000, 'kvm')).toMatchObject({ verdict: { status: 'fail' }, jobs: 0 });
    expect(await run(120_000, 'tcg')).toMatchObject({ verdict: { status: 'pass' }, jobs: 0 });
  });

  it('keys a boot variant\'s own boot timeout (the memory probes\', the rootfs stage\'s)', async () => {
    const dir = await tempDir();
    const executor = sixSecondTests(() => 120_000);
    const evaluator = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal: await Journal.open(dir), runKey: 'k', logRoot: path.join(dir, 'logs'), emit: () => undefined,
    });
    const candidate: Normalized = { config: new Map([['A', 'y']]), hash: 'h1' };
    for (const bootTimeoutMs of [10_000, 20_000, 10_000]) await evaluator.evaluate(candidate, '', 'memory 48 MiB', { memory: '48M', bootTimeoutMs });
    expect(executor.jobs.map((j) => j.bootTimeoutMs)).toEqual([10_000, 20_000]);
  });

  it.skipIf(!existsSync(path.join(cacheRoot(), 'kernel/linux-source-6.1.unpacked')))('gives a run context\'s verdicts keys of their own per --test-timeout, --boot-timeout and ready timeout', async () => {
    const out = await tempDir();
    const tests = path.join(out, 'tests.sh');
    await writeFile(tests, '#!/bin/sh\nexit 0\n');
    await chmod(tests, 0o755);
    const profile = await loadProfile();
    const candidate: Normalized = { config: new Map([['A', 'y']]), hash: 'h1' };
    const keyWith = async (timeouts: { testTimeoutMs?: number; bootTimeoutMs?: number; readyTimeoutMs?: number }) => {
      const plan = makePlan({ app: '/bin/true', appArgs: [], tests, port: 80, profile, accel: 'tcg', jobs: 1, ...timeouts }, hostFacts());
      const context = await openSearchContext({ plan, out, initramfs: { file: tests, sha256: 'i' }, emit: () => undefined });
      try {
        return context.evaluator.keyOf(candidate, 'console=ttyS0');
      } finally {
        await context.close();
      }
    };
    const keys = [await keyWith({}), await keyWith({ testTimeoutMs: 5_000 }), await keyWith({ bootTimeoutMs: 5_000 }), await keyWith({ readyTimeoutMs: 5_000 })];
    expect(new Set(keys).size).toBe(4);
    expect(await keyWith({ testTimeoutMs: 120_000, bootTimeoutMs: 120_000, readyTimeoutMs: 30_000 })).toBe(keys[0]);
  });
});
