// The first guess is built and booted before the start config: when it passes, the start config is never built.
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/load.js';
import { runStages, StageClock } from '../../src/run/runner.js';
import { firstGuessStage } from '../../src/run/stages/guess.js';
import { earlySanityStage, sanityStage } from '../../src/run/stages/start.js';
import type { RunState } from '../../src/run/state.js';
import { learnedGuess, type Guess } from '../../src/search/guess.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { FakeKernel } from '../search/fake-kernel.js';
import { FakeOracle, type FakeModel } from '../search/fake-oracle.js';
import type { Normalized } from '../../src/search/evaluator.js';
import type { Verdict } from '../../src/tester/verdict.js';

const MODEL: FakeModel = { candidates: ['NET', 'INET', 'EPOLL', 'SIGNALFD', 'INOTIFY_USER', 'SYSVIPC'].map((name) => ({ name })), required: ['NET', 'INET', 'EPOLL'] };
const guessKeeping = (options: string[]): Guess => learnedGuess([], [{ app: '/srv/app', kernelVersion: '6.1', finishedAt: '2024-01-01T00:00:00.000Z', needed: options.map((option) => ({ option, verdict: 'fail' })) }])!;

/** The stages from the start config's candidates to the rootfs, on a fake kernel whose tests need `model.required`. */
async function run(options: { guess?: Guess; kernelTrace?: boolean; startFails?: boolean }) {
  const kernel = new FakeKernel(new FakeOracle(MODEL));
  const start = kernel.start();
  const events: MinimizeEvent[] = [];
  const fake = kernel.evaluator();
  const built: string[] = [];
  const evaluator = {
    normalize: fake.normalize,
    evaluate: async (config: Normalized, cmdline: string, label: string): Promise<Verdict> => {
      built.push(config.hash === start.hash ? 'start' : label);
      const verdict = await fake.evaluate(config, cmdline, label);
      return options.startFails ? { ...verdict, status: 'fail', reason: 'tests failed' } : verdict;
    },
  };
  const plan = kernel.plan(start.config);
  const s = {
    plan: { boot: { cmdline: '', qemu: { memory: '256M' } }, search: { kernelTrace: options.kernelTrace ?? false }, kernel: { profile: await loadProfile() } },
    context: { evaluator }, initramfs: { compression: 'gzip', bytes: 1, uncompressedBytes: 1 }, init: { kind: 'busybox' }, work: '/nonexistent',
    start, candidates: plan.candidates, candidatePlan: plan, guess: options.guess, emit: (e: MinimizeEvent) => events.push(e),
    get ctx() { return this.context; },
  } as unknown as RunState;
  await runStages([earlySanityStage, firstGuessStage, sanityStage], s, new StageClock(s.emit));
  const stages = events.filter((e) => e.type === 'stage').map((e) => e.type === 'stage' && e.stage);
  return { s, built, stages, start };
}

describe('the first guess before the start config', () => {
  it('a guess that passes is the first kernel that passed: the start config is never built', async () => {
    const { s, built, stages } = await run({ guess: guessKeeping(['NET', 'INET', 'EPOLL']) });
    expect(stages).toEqual(['first-guess']);
    expect(built).toEqual(['guess: -3 options']);
    expect(s.reference.kind).toBe('guess');
    expect(s.reference.config.config.get('SIGNALFD')).toBe('n');
    expect(s.startVerdict).toBeUndefined();
  });

  it('a guess that fails: the start config is built and must pass, and it is the first kernel that passed', async () => {
    const { s, built, stages, start } = await run({ guess: guessKeeping(['NET']) });
    expect(stages).toEqual(['first-guess', 'sanity']);
    expect(built).toEqual(['guess: -5 options', 'start']);
    expect(s.guessTrial?.verdict.status).toBe('fail');
    expect(s.reference).toMatchObject({ kind: 'start', config: { hash: start.hash } });
    expect(s.startVerdict?.status).toBe('pass');
  });

  it('no guess: the start config is built, as before', async () => {
    const { s, built, stages } = await run({});
    expect(stages).toEqual(['sanity']);
    expect(built).toEqual(['start']);
    expect(s.reference.kind).toBe('start');
  });

  it('a guess that fails on tests the start config fails too: TINYX_START_FAILS, as without a guess', async () => {
    await expect(run({ guess: guessKeeping(['NET']), startFails: true })).rejects.toMatchObject({ code: 'TINYX_START_FAILS' });
  });

  it('with a kernel trace, the start config is built first (the trace boots it) and the search tries the guess', async () => {
    const { s, stages } = await run({ guess: guessKeeping(['NET', 'INET', 'EPOLL']), kernelTrace: true });
    expect(stages).toEqual(['sanity']);
    expect(s.reference.kind).toBe('start');
    expect(s.guessTrial).toBeUndefined();
  });
});
