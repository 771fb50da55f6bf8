// The classic Tinyx / ktest make_min_config loop: try removing each candidate alone, keep what fails.
import type { Strategy, StrategyContext, StrategyResult } from '../strategy.js';
import { Session } from './session.js';

/** Candidate names by priority, then input order. */
export function priorityOrder(ctx: StrategyContext): string[] {
  return ctx.candidates
    .map((c, i) => ({ name: c.name, p: c.priority ?? 0, i }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((c) => c.name);
}

/**
 * For each candidate in order: test(removed so far + it); a pass removes it. With `parallel` > 1
 * the next few candidates are tried at once on the same removed set; the first pass wins and the
 * ones after it are tried again on the new set, so the result equals the sequential one.
 */
export const oneAtATime: Strategy = {
  name: 'one-at-a-time',
  async run(ctx: StrategyContext): Promise<StrategyResult> {
    const session = new Session(ctx);
    const order = priorityOrder(ctx);
    let next = 0;
    while (next < order.length) {
      const batch = order.slice(next, next + session.parallel);
      const base = session.removed.length;
      const { winner, passed } = await session.firstPass(batch.map((n) => [n]));
      const decided = winner >= 0 ? winner : batch.length - 1;
      for (let i = 0; i <= decided; i++) {
        if (passed[i]) session.remove([batch[i]!]);
        else session.keep(batch[i]!, base);
      }
      next += decided + 1;
    }
    return session.finish();
  },
};
