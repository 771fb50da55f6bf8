// The classic Tinyx / ktest make_min_config loop: try removing each candidate alone, keep what fails.
import type { Strategy, StrategyContext, StrategyResult } from '../strategy.js';
import { distinct, Ledger } from './ledger.js';

/** Candidate names by priority, then input order. */
export function priorityOrder(ctx: StrategyContext): string[] {
  return ctx.candidates
    .map((c, i) => ({ name: c.name, p: c.priority ?? 0, i }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((c) => c.name);
}

/**
 * For each candidate in order: test(removed so far + it); a pass removes it. With `parallel` > 1
 * the next few verdicts are guessed from the pass rate so far and tried at once along the guessed
 * path (all on top of the same removed set when fails are likelier, each on top of the previous
 * ones when passes are); verdicts are taken in order up to the first wrong guess, so every test
 * taken is the one the sequential loop would have run, and the result equals the sequential one.
 */
export const oneAtATime: Strategy = {
  name: 'one-at-a-time',
  async run(ctx: StrategyContext): Promise<StrategyResult> {
    const ledger = new Ledger(distinct(ctx));
    const order = priorityOrder(ledger.ctx);
    let passes = 0;
    let fails = 0;
    let next = 0;
    while (next < order.length) {
      const batch = order.slice(next, next + ledger.parallel);
      const guess = passes >= fails;
      const outcomes = await ledger.tryAll(batch.map((c, i) => (guess ? batch.slice(0, i + 1) : [c])));
      for (const [i, passed] of outcomes.entries()) {
        const name = batch[i]!;
        if (passed) ledger.remove([name]);
        else ledger.keep(name, ledger.removed.length);
        passed ? passes++ : fails++;
        next++;
        if (passed !== guess) break;
      }
    }
    return ledger.finish();
  },
};
