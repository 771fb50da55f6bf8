// The kernel after each passing test: collected from verdict events, the same after a resume as without one.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { interruptedError } from '../../src/errors.js';
import { enabledSymbols, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { Evaluator } from '../../src/search/evaluator.js';
import type { MinimizeEvent, Stage } from '../../src/search/events.js';
import { Journal, type JournalEntry } from '../../src/search/journal.js';
import { searchKernel } from '../../src/search/phases.js';
import { SeriesCollector, withStoredSizes } from '../../src/search/series.js';
import { DEFAULT_STRATEGY } from '../../src/profile/strategy-names.js';
import type { Executor, Job } from '../../src/tester/executor.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { FakeKernel } from './fake-kernel.js';
import { FakeOracle } from './fake-oracle.js';
import { SELECTING_KERNEL } from './strategy-models.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-series-'));
  dirs.push(dir);
  return dir;
};

const CMDLINE = 'console=ttyS0';
/** What the fake build makes of a config: a size that grows with what is enabled. */
const bytesOf = (config: DotConfig) => 40_000 + 1_000 * enabledSymbols(config).length;

/** The fake oracle as an executor: builds (a size per config), boots, judges; interrupted after `stopAfter` jobs. */
function oracleExecutor(oracle: FakeOracle, stopAfter = Infinity): Executor & { jobs: Job[] } {
  const jobs: Job[] = [];
  return {
    name: 'oracle', slots: 1, jobs,
    async run(job: Job): Promise<Verdict> {
      if (jobs.length >= stopAfter) throw interruptedError();
      jobs.push(job);
      await mkdir(job.logDir, { recursive: true });
      const pass = oracle.passes(oracle.names.filter((n) => job.config.get(n) !== 'y'));
      return {
        status: pass ? 'pass' : 'fail', reason: pass ? 'tests passed' : 'tests exited with 1', configHash: job.configHash, cmdline: job.cmdline,
        built: true, buildMs: 0, bzImageBytes: bytesOf(job.config), bootMs: 0, testMs: 0, consoleTail: '',
      };
    },
    async close() {},
  };
}

/** The stages of a run as minimize goes through them, with the evaluator and the journal of `dir`. */
async function run(dir: string, executor: Executor & { jobs: Job[] }) {
  const oracle = new FakeOracle(SELECTING_KERNEL);
  const kernel = new FakeKernel(oracle);
  const collector = new SeriesCollector();
  const began = Date.now();
  const emit = collector.listen;
  const stage = (s: Stage) => emit({ type: 'stage', stage: s, message: s });
  const evaluator = new Evaluator({
    normalizer: { olddefconfig: async (c) => kernel.normalize(c).config }, executor, journal: await Journal.open(dir), runKey: 'k',
    logRoot: path.join(dir, 'logs'), emit, confirmFailures: 0,
  });
  stage('sanity');
  const start = await evaluator.normalize(kernel.start().config);
  await evaluator.evaluate(start, CMDLINE, 'start');
  stage('kernel-search');
  const first = kernel.plan(start.config);
  const result = await searchKernel({
    evaluator, start, cmdline: CMDLINE, candidates: first.candidates, isNoop: first.isNoop, strategy: DEFAULT_STRATEGY, parallel: 1, emit,
    replan: (config) => kernel.plan(config),
  });
  // Not tests of a kernel config: a boot option removed, the final re-check.
  stage('cmdline-search');
  await evaluator.evaluate(result.final, '', 'boot: -console=ttyS0');
  stage('verify');
  await evaluator.rerun(result.final, CMDLINE, 'final 1/1');
  return { series: collector.series(began), result };
}

const journalOf = async (dir: string) => (await readFile(path.join(dir, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as JournalEntry);

describe('the series of the kernel search', () => {
  it('has the start and then each passing test of the search, with the size and options =y of the config that passed', async () => {
    const dir = await tempDir();
    const executor = oracleExecutor(new FakeOracle(SELECTING_KERNEL));
    const { series, result } = await run(dir, executor);
    const judged = new Map(executor.jobs.map((j) => [j.configHash, j.config]));
    // Every passing kernel verdict the journal holds, in its order: the boot option test (other cmdline) is not one.
    const passes = (await journalOf(dir)).filter((e) => e.verdict.status === 'pass' && e.verdict.cmdline === CMDLINE);
    expect(series.points.map((p) => p.label)).toEqual(passes.map((e) => e.label));
    expect(series.points[0]).toMatchObject({ label: 'start', optionsEnabled: new FakeOracle(SELECTING_KERNEL).names.length });
    expect(series.points.length).toBeGreaterThan(2);
    for (const p of series.points) {
      expect(p.bzImageBytes).toBe(bytesOf(judged.get(p.configHash)!));
      expect(p.optionsEnabled).toBe(enabledSymbols(judged.get(p.configHash)!).length);
    }
    expect(series.points.map((p) => p.configHash)).toContain(result.final.hash);
    expect(series.points.at(-1)!.optionsEnabled).toBe(enabledSymbols(result.final.config).length);
    const seconds = series.points.map((p) => p.seconds);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds[0]).toBeGreaterThanOrEqual(0);
  });

  it('is the same after a run interrupted mid-search resumes from its journal', async () => {
    const whole = await run(await tempDir(), oracleExecutor(new FakeOracle(SELECTING_KERNEL)));
    const dir = await tempDir();
    await expect(run(dir, oracleExecutor(new FakeOracle(SELECTING_KERNEL), 6))).rejects.toMatchObject({ code: 'TINYX_INTERRUPTED' });
    const executor = oracleExecutor(new FakeOracle(SELECTING_KERNEL));
    const resumed = await run(dir, executor);
    const shape = (s: typeof whole.series) => s.points.map(({ label, configHash, bzImageBytes, optionsEnabled }) => ({ label, configHash, bzImageBytes, optionsEnabled }));
    expect(shape(resumed.series)).toEqual(shape(whole.series));
    // The resumed process built only what the first one had not judged (the final re-check always runs).
    const journaled = (await journalOf(dir)).length;
    expect(executor.jobs.length).toBe(journaled - 6 + 1);
    // Counted from the first run's start verdict, which is earlier than the resumed process's start.
    expect(Date.parse(resumed.series.began)).toBeLessThanOrEqual(Date.parse((await journalOf(dir))[0]!.at));
  });
});

describe('SeriesCollector', () => {
  const verdict = (hash: string, status: Verdict['status'] = 'pass', cmdline = CMDLINE, bzImageBytes?: number): Verdict => ({
    status, reason: '', configHash: hash, cmdline, built: true, buildMs: 0, ...(bzImageBytes ? { bzImageBytes } : {}), bootMs: 0, testMs: 0, consoleTail: '',
  });
  const event = (label: string, v: Verdict, at: string, fromJournal = false): MinimizeEvent => ({
    type: 'verdict', label, verdict: v, fromJournal, evaluations: 0, builds: 0, optionsEnabled: label.length, at,
  });

  it('counts a config once, passes only, in search stages only, ordered by when each verdict was reached', () => {
    const c = new SeriesCollector();
    c.listen(event('ignored: before the sanity stage', verdict('x'), '2024-01-01T00:00:00.000Z'));
    c.listen({ type: 'stage', stage: 'sanity', message: '' });
    c.listen(event('start', verdict('s', 'pass', CMDLINE, 2000), '2024-01-01T00:01:00.000Z', true));
    c.listen({ type: 'stage', stage: 'kernel-search', message: '' });
    c.listen(event('-B', verdict('b', 'pass', CMDLINE, 1500), '2024-01-01T00:03:00.000Z'));
    // Replayed from the journal, reached before -B (a parallel slot finished it first).
    c.listen(event('-A', verdict('a', 'pass', CMDLINE, 1800), '2024-01-01T00:02:00.000Z', true));
    c.listen(event('-C', verdict('c', 'fail'), '2024-01-01T00:04:00.000Z'));
    c.listen(event('-B again', verdict('b', 'pass', CMDLINE, 1500), '2024-01-01T00:05:00.000Z', true));
    c.listen({ type: 'stage', stage: 'memory', message: '' });
    c.listen(event('memory 30 MiB', verdict('m'), '2024-01-01T00:06:00.000Z'));
    const series = c.series(Date.parse('2024-01-01T00:00:30.000Z'));
    expect(series.began).toBe('2024-01-01T00:00:30.000Z');
    expect(series.points).toEqual([
      { label: 'start', configHash: 's', bzImageBytes: 2000, optionsEnabled: 5, seconds: 30 },
      { label: '-A', configHash: 'a', bzImageBytes: 1800, optionsEnabled: 2, seconds: 90 },
      { label: '-B', configHash: 'b', bzImageBytes: 1500, optionsEnabled: 2, seconds: 150 },
    ]);
    // This process began after the verdicts it replays: the series counts from the first of them.
    expect(c.series(Date.parse('2024-01-02T00:00:00.000Z')).points.map((p) => p.seconds)).toEqual([0, 60, 120]);
  });

  it('takes a size the journal lacks from the kernel stored by config hash, and leaves it absent when none is stored', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'a'));
    await writeFile(path.join(dir, 'a', 'bzImage'), Buffer.alloc(1234));
    const series = { began: '2024-01-01T00:00:00.000Z', points: [
      { label: 'start', configHash: 'a', optionsEnabled: 3, seconds: 0 },
      { label: '-X', configHash: 'gone', optionsEnabled: 2, seconds: 1 },
      { label: '-Y', configHash: 'a', bzImageBytes: 99, optionsEnabled: 1, seconds: 2 },
    ] };
    const filled = await withStoredSizes(series, (hash) => path.join(dir, hash, 'bzImage'));
    expect(filled.points.map((p) => p.bzImageBytes)).toEqual([1234, undefined, 99]);
  });
});
