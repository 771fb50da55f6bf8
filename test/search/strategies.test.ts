// Every strategy against the fake oracle: the result, its 1-minimality and what it costs.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { DEFAULT_STRATEGY, STRATEGY_NAMES } from '../../src/profile/strategy-names.js';
import { getStrategy } from '../../src/search/strategies/index.js';
import { FakeOracle, type FakeModel } from './fake-oracle.js';
import { flatModel, kernelModel, pickIndexes } from './strategy-models.js';

async function minimize(name: string, model: FakeModel, parallel = 1) {
  const oracle = new FakeOracle(model);
  const result = await getStrategy(name).run(oracle.context(parallel));
  return { oracle, result };
}

describe('strategy registry', () => {
  it('names every strategy and returns it by name', () => {
    expect(STRATEGY_NAMES).toEqual(['one-at-a-time', 'ddmin', 'bisect']);
    for (const name of STRATEGY_NAMES) expect(getStrategy(name).name).toBe(name);
    expect(STRATEGY_NAMES).toContain(DEFAULT_STRATEGY);
  });

  it('rejects an unknown name with a usage error listing the choices', () => {
    let error: unknown;
    try {
      getStrategy('fastest');
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
    expect((error as { advice?: string }).advice).toBe('one of: one-at-a-time, ddmin, bisect');
  });
});

describe.each(STRATEGY_NAMES)('%s', (name) => {
  it('finds exactly the required tokens of a flat list', async () => {
    const model = flatModel(200, pickIndexes(200, 10, 7));
    const { oracle, result } = await minimize(name, model);
    expect(result.kept).toEqual(model.required);
    expect(result.removed).toHaveLength(190);
    expect(oracle.passes(result.removed)).toBe(true);
    if (name === 'one-at-a-time') expect(oracle.evaluations).toBeLessThanOrEqual(200 + 10);
    else expect(oracle.evaluations).toBeLessThan(120);
  });

  it('finds exactly the required options of a kernel-shaped tree', async () => {
    for (const seed of [1, 2, 3]) {
      const model = kernelModel(seed);
      const { oracle, result } = await minimize(name, model);
      expect(result.kept).toEqual(model.required);
      expect(oracle.oneMinimalityViolations(result)).toEqual([]);
      const bound = name === 'one-at-a-time' ? model.candidates.length * 1.1 : model.candidates.length * 0.6;
      expect(oracle.evaluations).toBeLessThan(bound);
    }
  });

  it('handles empty, all-needed and nothing-needed lists', async () => {
    const empty = await minimize(name, flatModel(0, []));
    expect(empty.result).toEqual({ removed: [], kept: [] });
    expect(empty.oracle.calls).toBe(0);
    const all = await minimize(name, flatModel(8, [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(all.result.kept).toHaveLength(8);
    const none = await minimize(name, flatModel(64, []));
    expect(none.result.kept).toEqual([]);
    if (name !== 'one-at-a-time') expect(none.oracle.evaluations).toBeLessThanOrEqual(10);
  });

  it('keeps one of "A or B needed" and stays 1-minimal', async () => {
    const model: FakeModel = { ...flatModel(40, [3, 30]), anyOf: [['T10', 'T11'], ['T20', 'T25', 'T26']] };
    const { oracle, result } = await minimize(name, model);
    expect(oracle.passes(result.removed)).toBe(true);
    expect(oracle.oneMinimalityViolations(result)).toEqual([]);
    expect(result.kept.filter((k) => ['T10', 'T11'].includes(k))).toHaveLength(1);
    expect(result.kept.filter((k) => ['T20', 'T25', 'T26'].includes(k))).toHaveLength(1);
  });

  it('stays 1-minimal when removing more turns a failure into a pass', async () => {
    // T5 is needed only while T31 stays; T31 is needed by nothing.
    const model: FakeModel = { ...flatModel(32, [9]), needsUnlessGone: [['T5', 'T31'], ['T12', 'T13']] };
    const { oracle, result } = await minimize(name, model);
    expect(oracle.passes(result.removed)).toBe(true);
    expect(oracle.oneMinimalityViolations(result)).toEqual([]);
  });

  it('never drops a required option when the test fails spuriously', async () => {
    const model: FakeModel = { ...kernelModel(4, 300), flaky: 0.05 };
    const { oracle, result } = await minimize(name, model);
    expect(result.kept).toEqual(expect.arrayContaining(model.required));
    expect(oracle.passes(result.removed)).toBe(true);
    expect([...result.removed, ...result.kept].sort()).toEqual(model.candidates.map((c) => c.name).sort());
  });

  it('takes a repeated candidate once and treats odd slot counts as one', async () => {
    const twice = new FakeOracle({ candidates: ['quiet', 'A', 'quiet', 'B'].map((n) => ({ name: n })), required: ['A'] });
    expect(await getStrategy(name).run(twice.context(2))).toEqual({ removed: ['quiet', 'B'], kept: ['A'] });
    for (const parallel of [0, 0.5, Number.NaN]) {
      const { result } = await minimize(name, flatModel(12, [3]), parallel);
      expect(result.kept).toEqual(['T3']);
    }
  });

  it('tries what the priorities say first', async () => {
    const model = flatModel(16, []);
    model.candidates.forEach((c, i) => (c.priority = i % 2 === 0 ? 1 : 0));
    const oracle = new FakeOracle(model);
    const seen: string[][] = [];
    await getStrategy(name).run({ ...oracle.context(), test: (r) => (seen.push([...r]), oracle.test(r)) });
    expect(seen[0]![0]).toBe('T1');
  });
});

describe('costs compared', () => {
  async function total(name: string, monotone: boolean) {
    let evaluations = 0;
    for (const seed of [11, 12, 13]) {
      const oracle = new FakeOracle(kernelModel(seed, 400, 0.06));
      const result = await getStrategy(name).run(oracle.context(1, { monotone }));
      expect(oracle.oneMinimalityViolations(result)).toEqual([]);
      evaluations += oracle.evaluations;
    }
    return evaluations;
  }

  it('bisect needs clearly fewer builds than one-at-a-time on kernel-shaped trees', async () => {
    expect(await total('bisect', false)).toBeLessThan(0.85 * (await total('one-at-a-time', false)));
    expect(await total('bisect', true)).toBeLessThan(0.85 * (await total('one-at-a-time', true)));
  });

  it('trusting monotony saves builds and, on a monotone oracle, changes nothing else', async () => {
    for (const name of STRATEGY_NAMES) {
      const model = kernelModel(14, 300);
      const strict = new FakeOracle(model);
      const trusting = new FakeOracle(model);
      const a = await getStrategy(name).run(strict.context(1));
      const b = await getStrategy(name).run(trusting.context(1, { monotone: true }));
      expect(b).toEqual(a);
      expect(trusting.evaluations).toBeLessThanOrEqual(strict.evaluations);
      if (name !== 'ddmin') expect(trusting.evaluations).toBeLessThan(strict.evaluations);
    }
  });
});
