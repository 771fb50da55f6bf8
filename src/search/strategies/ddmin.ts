// Delta debugging (Zeller's ddmin) turned to "remove as much as possible", chunked along the tree.
import type { Strategy, StrategyContext, StrategyResult } from '../strategy.js';
import { distinct, Ledger } from './ledger.js';
import { buildForest, namesOf } from './tree.js';

/**
 * `items` cut into `n` contiguous chunks of near-equal size. With `starts` (where a subtree
 * begins), each cut moves to the nearest subtree start within half a chunk, so a menu or a
 * parent and what hangs under it stay in one chunk when they fit.
 */
export function splitEven<T>(items: readonly T[], n: number, starts?: (item: T) => boolean): T[][] {
  const chunks: T[][] = [];
  const slack = Math.floor(items.length / n / 2);
  let start = 0;
  for (let i = 0; i < n; i++) {
    let end = Math.round(((i + 1) * items.length) / n);
    if (starts && end < items.length) {
      for (let d = 0; d <= slack; d++) {
        if (end - d > start && starts(items[end - d]!)) { end -= d; break; }
        if (end + d < items.length && starts(items[end + d]!)) { end += d; break; }
      }
    }
    if (end > start) chunks.push(items.slice(start, end));
    start = Math.max(start, end);
  }
  if (start < items.length) chunks.push(items.slice(start));
  return chunks;
}

/**
 * Candidates in tree order (a menu and its subtrees contiguous, by priority), cut into n chunks,
 * starting at n = 2. Each chunk is tried on top of what is removed; a pass removes it and the
 * round goes on with the next chunk. A round with removals shrinks n by their number (at least 2);
 * a round without doubles n; a round of single candidates without removals ends the search, so
 * every kept candidate failed alone on top of the final removed set: 1-minimal by construction.
 * Only complements are tried (never "keep just this chunk"): kernels need many scattered options.
 * With `parallel` > 1 the next chunks are tried at once on the same removed set; the lowest
 * passing index wins, the other passes are tried again, so the result never depends on timing.
 */
export const ddmin: Strategy = {
  name: 'ddmin',
  async run(ctx: StrategyContext): Promise<StrategyResult> {
    const ledger = new Ledger(distinct(ctx));
    const forest = buildForest(ledger.ctx.candidates);
    const roots = new Set(forest.map((r) => r.name));
    let left = namesOf(forest);
    let n = Math.min(2, left.length);
    while (left.length > 0) {
      const chunks = splitEven(left, n, (name) => roots.has(name));
      let removals = 0;
      // A fail stays a fail for this round even if a chunk beside it was removed meanwhile; a
      // pass beside the winner was seen on a smaller removed set and is tried again.
      for (let pending = chunks; pending.length > 0; ) {
        const window = pending.slice(0, ledger.parallel);
        const base = ledger.removed.length;
        const passed = await ledger.tryAll(window);
        window.forEach((chunk, j) => !passed[j] && chunk.length === 1 && ledger.keep(chunk[0]!, base));
        const winner = passed.indexOf(true);
        if (winner >= 0) {
          ledger.remove(window[winner]!);
          removals++;
        }
        pending = [...window.filter((_, j) => passed[j] && j !== winner), ...pending.slice(window.length)];
      }
      left = left.filter((name) => !ledger.isRemoved(name));
      if (removals === 0 && n >= left.length) break;
      n = Math.min(2 * n, left.length);
    }
    return ledger.finish();
  },
};
