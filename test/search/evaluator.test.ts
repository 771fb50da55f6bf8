// The evaluator against a scripted executor: failures are confirmed once, verdicts are journaled.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TinyxError } from '../../src/errors.js';
import { Evaluator, type Normalized } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import type { Executor, Job } from '../../src/tester/executor.js';
import type { Verdict, VerdictStatus } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** An executor that answers each job with the next scripted status ('qemu-failed' throws as QEMU failing would). */
function scripted(statuses: (VerdictStatus | 'qemu-failed')[]): Executor & { jobs: Job[] } {
  const jobs: Job[] = [];
  return {
    name: 'scripted', slots: 1, jobs,
    async run(job: Job): Promise<Verdict> {
      jobs.push(job);
      await mkdir(job.logDir, { recursive: true });
      const status = statuses.shift();
      if (!status) throw new Error('no more scripted verdicts');
      if (status === 'qemu-failed') throw new TinyxError('TINYX_QEMU_FAILED', 'QEMU failed to start the guest: scripted');
      return {
        status, reason: `scripted ${status}`, configHash: job.configHash, cmdline: job.cmdline, built: jobs.length === 1,
        buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '',
      };
    },
    async close() {},
  };
}

async function setup(statuses: (VerdictStatus | 'qemu-failed')[], confirmFailures?: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-evaluator-'));
  dirs.push(dir);
  const executor = scripted(statuses);
  const journal = await Journal.open(dir);
  const events: MinimizeEvent[] = [];
  const evaluator = new Evaluator({
    normalizer: { olddefconfig: async (c) => c }, executor, journal, runKey: 'k', logRoot: path.join(dir, 'logs'),
    emit: (e) => events.push(e), confirmFailures,
  });
  const candidate: Normalized = { config: new Map([['A', 'y']]), hash: 'h1' };
  return { dir, executor, journal, events, evaluator, candidate };
}

describe('Evaluator failure confirmation', () => {
  it('runs a failing candidate twice and keeps the failure when it repeats', async () => {
    const { executor, evaluator, candidate, journal } = await setup(['fail', 'fail']);
    const verdict = await evaluator.evaluate(candidate, 'console=ttyS0', '-A');
    expect(verdict.status).toBe('fail');
    expect(verdict.flaky).toBeUndefined();
    // The journaled verdict still says the kernel was built for it (by the first run).
    expect(verdict.built).toBe(true);
    expect(executor.jobs).toHaveLength(2);
    expect(evaluator.evaluations).toBe(2);
    expect(evaluator.builds).toBe(1);
    expect(journal.get(evaluator.keyOf(candidate, 'console=ttyS0'))?.status).toBe('fail');
  });

  it('counts a failure that does not repeat as failing (the option stays), journaled as flaky with both outcomes', async () => {
    const { dir, evaluator, candidate, events } = await setup(['boot-timeout', 'pass']);
    const verdict = await evaluator.evaluate(candidate, '', '-A');
    expect(verdict.status).toBe('boot-timeout');
    expect(verdict.flaky).toBe('boot-timeout: scripted boot-timeout; then pass: scripted pass');
    expect(events.some((e) => e.type === 'warning' && e.message.includes('flaky: -A') && e.message.includes('counted as failing'))).toBe(true);
    const lines = (await readFile(path.join(dir, 'journal.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).verdict).toMatchObject({ status: 'boot-timeout', flaky: 'boot-timeout: scripted boot-timeout; then pass: scripted pass' });
  });

  it('does not confirm a build error, nor anything with confirmFailures 0', async () => {
    const a = await setup(['build-error']);
    expect((await a.evaluator.evaluate(a.candidate, '', '-A')).status).toBe('build-error');
    expect(a.executor.jobs).toHaveLength(1);
    const b = await setup(['panic'], 0);
    expect((await b.evaluator.evaluate(b.candidate, '', '-A')).status).toBe('panic');
    expect(b.executor.jobs).toHaveLength(1);
  });

  it('confirms as many times as asked, stopping at the first pass, which makes it flaky and failing', async () => {
    const { executor, evaluator, candidate } = await setup(['fail', 'fail', 'pass', 'fail'], 3);
    const verdict = await evaluator.evaluate(candidate, '', '-A');
    expect(verdict.status).toBe('fail');
    expect(verdict.flaky).toMatch(/then pass/);
    expect(executor.jobs).toHaveLength(3);
  });

  it('answers a journaled pair without running it again, even in a new evaluator', async () => {
    const first = await setup(['fail', 'fail']);
    await first.evaluator.evaluate(first.candidate, '', '-A');
    const journal = await Journal.open(first.dir);
    const executor = scripted([]);
    const again = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal, runKey: 'k', logRoot: path.join(first.dir, 'logs'), emit: () => undefined,
    });
    expect((await again.evaluate(first.candidate, '', '-A')).status).toBe('fail');
    expect(executor.jobs).toHaveLength(0);
  });

  it('boots a variant\'s own initramfs, journaled under a key of its own per initramfs (memory keys as before)', async () => {
    const { executor, evaluator, candidate, journal } = await setup(['pass', 'pass', 'pass']);
    const gzip = { initramfs: { file: '/w/initramfs.cpio.gz', sha256: 'aa' } };
    await evaluator.evaluate(candidate, '', 'plain');
    await evaluator.evaluate(candidate, '', 'compression gzip', gzip);
    await evaluator.evaluate(candidate, '', 'compression gzip', gzip);
    await evaluator.evaluate(candidate, '', 'compression lz4', { initramfs: { file: '/w/initramfs.cpio.lz4', sha256: 'bb' } });
    expect(executor.jobs.map((j) => j.initramfs)).toEqual([undefined, '/w/initramfs.cpio.gz', '/w/initramfs.cpio.lz4']);
    const keys = [undefined, gzip, { initramfs: { file: '/w/initramfs.cpio.lz4', sha256: 'bb' } }].map((v) => evaluator.keyOf(candidate, '', v));
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(journal.get(key)?.status).toBe('pass');
    // A memory probe's key holds its memory and its boot timeout (no initramfs of its own).
    expect(evaluator.keyOf(candidate, '', { memory: '48M', bootTimeoutMs: 10_000 })).toBe(sha256('k\nh1\n\nmemory 48M\nboot-timeout 10000'));
  });

  it('boots the vmlinux once told to (PVH), under keys of their own; the bzImage\'s keys stay as they were', async () => {
    const { executor, evaluator, candidate, journal } = await setup(['pass', 'pass', 'pass']);
    await evaluator.evaluate(candidate, '', 'bzImage');
    const bzKey = evaluator.keyOf(candidate, '');
    expect(bzKey).toBe(sha256('k\nh1\n'));
    await evaluator.rerun(candidate, '', 'PVH comparison', { kernel: 'vmlinux' });
    evaluator.useKernel('vmlinux');
    await evaluator.evaluate(candidate, '', 'memory 48M', { memory: '48M' });
    expect(executor.jobs.map((j) => j.kernel)).toEqual([undefined, 'vmlinux', 'vmlinux']);
    expect(evaluator.keyOf(candidate, '', { memory: '48M' })).toBe(sha256('k\nh1\n\nmemory 48M\nkernel vmlinux'));
    expect(journal.get(evaluator.keyOf(candidate, '', { memory: '48M' }))?.status).toBe('pass');
    expect(evaluator.keyOf(candidate, '')).not.toBe(bzKey);
  });

  it('numbers a resumed run\'s log dirs after those of the earlier run', async () => {
    const first = await setup(['fail', 'fail']);
    await first.evaluator.evaluate(first.candidate, '', '-A');
    const executor = scripted(['pass']);
    const again = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal: first.journal, runKey: 'k', logRoot: path.join(first.dir, 'logs'), emit: () => undefined,
    });
    await again.rerun(first.candidate, '', 'final');
    expect(first.executor.jobs.map((j) => path.basename(j.logDir))).toEqual(['0001-h1', '0002-h1']);
    expect(path.basename(executor.jobs[0]!.logDir)).toBe('0003-h1');
  });

  it('does not confirm re-runs (the caller repeats final checks itself)', async () => {
    const { executor, evaluator, candidate } = await setup(['fail']);
    expect((await evaluator.rerun(candidate, '', 'final')).status).toBe('fail');
    expect(executor.jobs).toHaveLength(1);
  });
});

describe('Evaluator and failures of the machinery', () => {
  it('tries once more when QEMU failed, and the second run\'s verdict counts', async () => {
    const { executor, evaluator, candidate, events, journal } = await setup(['qemu-failed', 'pass']);
    expect((await evaluator.evaluate(candidate, '', '-A')).status).toBe('pass');
    expect(executor.jobs).toHaveLength(2);
    expect(events.some((e) => e.type === 'warning' && e.message.includes('trying once more'))).toBe(true);
    expect(journal.get(evaluator.keyOf(candidate, ''))?.status).toBe('pass');
  });

  it('stops with the error when it happens again, and journals nothing for the candidate', async () => {
    const { dir, executor, evaluator, candidate, journal } = await setup(['qemu-failed', 'qemu-failed', 'pass']);
    await expect(evaluator.evaluate(candidate, '', '-A')).rejects.toMatchObject({ code: 'TINYX_QEMU_FAILED' });
    expect(executor.jobs).toHaveLength(2);
    expect(journal.get(evaluator.keyOf(candidate, ''))).toBeUndefined();
    expect(await readFile(path.join(dir, 'journal.jsonl'), 'utf8').catch(() => '')).toBe('');
    // A new run resumes and tries the candidate afresh.
    const again = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal: await Journal.open(dir), runKey: 'k', logRoot: path.join(dir, 'logs'), emit: () => undefined,
    });
    expect((await again.evaluate(candidate, '', '-A')).status).toBe('pass');
  });
});
