// Strategies under parallel evaluation with random delays, and when aborted.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { STRATEGY_NAMES } from '../../src/profile/strategy-names.js';
import { getStrategy } from '../../src/search/strategies/index.js';
import { FakeOracle, type FakeModel } from './fake-oracle.js';
import { flatModel, kernelModel, pickIndexes } from './strategy-models.js';

async function runWith(name: string, model: FakeModel, parallel: number, seed: number, delay = 3) {
  const oracle = new FakeOracle(model, { delay, seed });
  const result = await getStrategy(name).run(oracle.context(parallel));
  return { oracle, result };
}

describe.each(STRATEGY_NAMES)('%s in parallel', (name) => {
  it('gives the same result and tries the same configs whatever the timing', async () => {
    const model: FakeModel = { ...kernelModel(5, 150), anyOf: [['OPT_3', 'OPT_4']] };
    const runs = await Promise.all([11, 12, 13].map((seed) => runWith(name, model, 3, seed)));
    const [first, ...rest] = runs;
    for (const run of rest) {
      expect(run.result).toEqual(first!.result);
      expect([...run.oracle.log].sort()).toEqual([...first!.oracle.log].sort());
    }
    expect(first!.oracle.maxInFlight).toBeGreaterThan(1);
    expect(first!.oracle.maxInFlight).toBeLessThanOrEqual(3);
    expect(first!.oracle.oneMinimalityViolations(first!.result)).toEqual([]);
    expect(first!.oracle.passes(first!.result.removed)).toBe(true);
  });

  it('finds the required set with two slots', async () => {
    const model = kernelModel(6, 300);
    const { oracle, result } = await runWith(name, model, 2, 1, 0);
    expect(result.kept).toEqual(model.required);
    expect(oracle.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('stops starting tests once aborted and rejects with TINYX_INTERRUPTED', async () => {
    const controller = new AbortController();
    const oracle = new FakeOracle(flatModel(100, pickIndexes(100, 5, 3)), {
      delay: 2,
      onEvaluate: (n) => n === 6 && controller.abort(new Error('user pressed ^C')),
    });
    const run = getStrategy(name).run(oracle.context(2, { signal: controller.signal }));
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_INTERRUPTED')).toBe(true);
    // The abort fired as the 7th evaluation started; only the one beside it may also have run.
    expect(oracle.evaluations).toBeLessThanOrEqual(8);
  });

  it('does not start when already aborted', async () => {
    const oracle = new FakeOracle(flatModel(10, [1]));
    const error = await getStrategy(name)
      .run(oracle.context(1, { signal: AbortSignal.abort() }))
      .then(() => undefined, (e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_INTERRUPTED')).toBe(true);
    expect(oracle.calls).toBe(0);
  });

  it('passes a fatal test error through after the window settles', async () => {
    const oracle = new FakeOracle(flatModel(20, [2]));
    let calls = 0;
    const test = (removed: readonly string[]) => (++calls === 3 ? Promise.reject(new Error('disk full')) : oracle.test(removed));
    await expect(getStrategy(name).run({ ...oracle.context(2), test })).rejects.toThrow('disk full');
  });
});

describe.each(['one-at-a-time', 'bisect'])('%s', (name) => {
  it('gives the sequential result with any number of slots', async () => {
    const model: FakeModel = { ...flatModel(60, [4, 40]), anyOf: [['T10', 'T11']], needsUnlessGone: [['T20', 'T50']] };
    const sequential = await runWith(name, model, 1, 1, 0);
    for (const parallel of [2, 4]) {
      const { result } = await runWith(name, model, parallel, parallel, 2);
      expect(result).toEqual(sequential.result);
    }
  });

  it('needs fewer rounds of builds with more slots', async () => {
    const model = kernelModel(8, 200);
    const rounds = [];
    for (const parallel of [1, 3]) {
      const oracle = new FakeOracle(model);
      let waves = 0;
      const test = (removed: readonly string[]) => {
        if (oracle.inFlight === 0) waves++;
        return oracle.test(removed);
      };
      await getStrategy(name).run({ ...oracle.context(parallel), test });
      rounds.push(waves);
    }
    expect(rounds[1]!).toBeLessThan(rounds[0]! * 0.75);
  });
});
