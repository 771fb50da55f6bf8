// Speculative parallel runs of a one-test-at-a-time strategy, and the odds that steer them.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { Odds } from '../../src/search/strategies/odds.js';
import { speculate } from '../../src/search/strategies/speculate.js';
import type { StrategyContext, StrategyResult } from '../../src/search/strategy.js';
import { FakeOracle } from './fake-oracle.js';
import { flatModel, pickIndexes } from './strategy-models.js';

/** A deliberately adaptive strategy: pairs first, then singles of the pairs that failed. */
async function pairs(ctx: StrategyContext): Promise<StrategyResult> {
  const removed: string[] = [];
  const names = ctx.candidates.map((c) => c.name);
  for (let i = 0; i < names.length; i += 2) {
    const pair = names.slice(i, i + 2);
    if (await ctx.test([...removed, ...pair])) removed.push(...pair);
    else for (const n of pair) if (await ctx.test([...removed, n])) removed.push(n);
  }
  return { removed, kept: names.filter((n) => !removed.includes(n)) };
}

describe('speculate', () => {
  const model = flatModel(40, pickIndexes(40, 6, 5));

  it('returns what the sequential run returns, with at most `parallel` tests at once', async () => {
    const sequential = await pairs(new FakeOracle(model).context(1));
    for (const [parallel, seed] of [[2, 1], [3, 2], [5, 3]] as const) {
      const oracle = new FakeOracle(model, { delay: 2, seed });
      expect(await speculate(pairs, oracle.context(parallel))).toEqual(sequential);
      expect(oracle.maxInFlight).toBeLessThanOrEqual(parallel);
      expect(oracle.maxInFlight).toBeGreaterThan(1);
    }
  });

  it('stops between rounds when aborted', async () => {
    const controller = new AbortController();
    const oracle = new FakeOracle(model, { onEvaluate: (n) => n === 4 && controller.abort() });
    const error = await speculate(pairs, oracle.context(2, { signal: controller.signal })).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_INTERRUPTED')).toBe(true);
    expect(oracle.evaluations).toBeLessThanOrEqual(6);
  });

  it('passes errors of the strategy and of the test through', async () => {
    const broken = async () => Promise.reject(new Error('bug'));
    await expect(speculate(broken, new FakeOracle(model).context(2))).rejects.toThrow('bug');
    const failing = { ...new FakeOracle(model).context(2), test: () => Promise.reject(new Error('qemu gone')) };
    await expect(speculate(pairs, failing)).rejects.toThrow('qemu gone');
  });
});

describe('Odds', () => {
  it('starts even, follows recent verdicts, per size of what a test adds', () => {
    const odds = new Odds();
    expect(odds.pass(1)).toBe(0.5);
    for (let i = 0; i < 5; i++) odds.record(1, true);
    expect(odds.pass(1)).toBeGreaterThan(0.8);
    expect(odds.pass(8)).toBe(0.5);
    for (let i = 0; i < 5; i++) odds.record(1, false);
    expect(odds.pass(1)).toBeLessThan(0.5);
  });
});
