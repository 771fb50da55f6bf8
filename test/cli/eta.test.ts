// The time-left estimate: the mean cost of the evaluations so far, times the tests left when the search knows them.
import { describe, expect, it } from 'vitest';
import { describeEstimate, duration, emptyTally, estimate, tally, type Tally } from '../../src/cli/eta.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import type { Verdict } from '../../src/tester/verdict.js';

const verdict = (costs: Partial<Verdict>, fromJournal = false): MinimizeEvent => ({
  type: 'verdict', label: '-X', fromJournal, evaluations: 0, builds: 0,
  verdict: { status: 'pass', reason: '', configHash: 'h', cmdline: '', built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '', ...costs },
});
const run = (events: MinimizeEvent[]): Tally => events.reduce(tally, emptyTally);

describe('the time-left estimate', () => {
  it('says nothing before any evaluation', () => {
    expect(describeEstimate(run([{ type: 'tests-planned', tests: 5, parallel: 1 }]))).toBeUndefined();
  });

  it('gives the time left when the tests left are known: their number times the mean cost so far', () => {
    const t = run([
      { type: 'tests-planned', tests: 5, parallel: 1 },
      verdict({ buildMs: 200_000, bootMs: 15_000, testMs: 5_000 }),
      // A stored kernel: no build, and it lowers the mean cost as the next ones may be stored too.
      verdict({ built: false, bootMs: 12_000, testMs: 8_000 }),
    ]);
    expect(t.left).toBe(3);
    expect(estimate(t)).toEqual({ meanBuildMs: 200_000, meanBootTestMs: 20_000, leftMs: 3 * 120_000 });
    expect(describeEstimate(t)).toBe('~6 min left');
  });

  it('counts journal verdicts down without taking them for what a test costs', () => {
    const t = run([
      { type: 'tests-planned', tests: 4, parallel: 1 },
      verdict({ buildMs: 60_000, bootMs: 30_000 }),
      verdict({ buildMs: 0, built: false }, true),
    ]);
    expect(t).toMatchObject({ ran: 1, left: 2 });
    expect(estimate(t).leftMs).toBe(2 * 90_000);
  });

  it('runs the tests left `parallel` at a time', () => {
    const t = run([{ type: 'tests-planned', tests: 4, parallel: 2 }, verdict({ buildMs: 50_000, bootMs: 10_000 })]);
    // 3 left, 2 at once: two rounds of one test's time.
    expect(estimate(t).leftMs).toBe(2 * 60_000);
  });

  it('shows only the means when the number left is unknown (bisect), after a round or stage, or once more ran than planned', () => {
    const costs = verdict({ buildMs: 180_000, bootMs: 30_000, testMs: 10_000 });
    expect(describeEstimate(run([costs]))).toBe('~3 min a build, ~40 s boot+test');
    expect(estimate(run([{ type: 'tests-planned', tests: 3, parallel: 1 }, costs, { type: 'round', round: 2, candidates: ['A'], removedBefore: 1 }])).leftMs).toBeUndefined();
    expect(run([{ type: 'tests-planned', tests: 3, parallel: 1 }, costs, { type: 'stage', stage: 'verify', message: 'verifying' }]).left).toBeUndefined();
    expect(run([{ type: 'tests-planned', tests: 1, parallel: 1 }, costs]).left).toBeUndefined();
    expect(describeEstimate(run([verdict({ built: false, bootMs: 9_000 })]))).toBe('~9 s boot+test');
  });

  it('writes durations in seconds, minutes or hours', () => {
    expect([duration(9_400), duration(59_000), duration(90_000), duration(99 * 60_000), duration(150 * 60_000)]).toEqual(['9 s', '59 s', '2 min', '99 min', '2.5 h']);
  });
});
