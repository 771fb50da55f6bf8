// Runs a sequential strategy with several tests in flight by replaying it along likely verdicts.
import { TinyxError } from '../../errors.js';
import type { StrategyContext, StrategyResult } from '../strategy.js';
import { Odds } from './odds.js';

type Run = (ctx: StrategyContext) => Promise<StrategyResult>;

/** Where a replay stopped: a test whose verdict is neither known nor assumed. */
class Unknown {
  constructor(
    /** The verdicts that lead to this test ('1' pass, '0' fail): the test's identity. */
    readonly path: string,
    readonly removed: readonly string[],
    /** How many names it adds to the last passing set. */
    readonly added: number,
  ) {}
}

/** Verdicts known so far, by the verdicts that lead to each test. */
class Trie {
  verdict?: boolean;
  private readonly children: [Trie?, Trie?] = [];

  child(pass: boolean): Trie | undefined {
    return this.children[pass ? 1 : 0];
  }

  /** The node at `path`, created as needed. */
  at(path: string): Trie {
    let node: Trie = this;
    for (const c of path) node = node.children[c === '1' ? 1 : 0] ??= new Trie();
    return node;
  }
}

/** A path of verdicts (known or assumed) and how likely it is. */
interface Branch {
  path: string;
  probability: number;
}

/**
 * Runs `run` (a strategy written for one test at a time) with up to `ctx.parallel` tests at once.
 * A strategy is deterministic, so a test is named by the verdicts before it. Each round replays
 * the strategy from the start on the verdicts known so far; where it reaches an unknown test, the
 * most probable verdict paths (pass rates so far) pick the next `parallel` tests, which run side
 * by side. The final replay takes exactly the sequential run's tests, so the result equals the
 * one-slot result whatever the timing; tests off that path are the price of the speed-up.
 */
export async function speculate(run: Run, ctx: StrategyContext): Promise<StrategyResult> {
  const known = new Trie();
  const odds = new Odds();
  const replay = async (assumed: string): Promise<StrategyResult | Unknown> => {
    let path = '';
    let node: Trie | undefined = known;
    let lastPass = 0;
    const test = async (removed: readonly string[]): Promise<boolean> => {
      const verdict = path.length < assumed.length ? assumed[path.length] === '1' : node?.verdict;
      if (verdict === undefined) throw new Unknown(path, [...removed], removed.length - lastPass);
      if (verdict) lastPass = removed.length;
      node = node?.child(verdict);
      path += verdict ? '1' : '0';
      return verdict;
    };
    try {
      return await run({ ...ctx, test, parallel: 1, signal: undefined });
    } catch (error) {
      if (error instanceof Unknown) return error;
      throw error;
    }
  };
  for (;;) {
    if (ctx.signal?.aborted) {
      throw new TinyxError('TINYX_INTERRUPTED', 'search interrupted', { cause: ctx.signal.reason });
    }
    const first = await replay('');
    if (!(first instanceof Unknown)) return first;
    const picked = await pick(first, replay, odds, Math.max(1, Math.floor(ctx.parallel)));
    const settled = await Promise.allSettled(picked.map((u) => ctx.test(u.removed)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    settled.forEach((s, i) => {
      const pass = (s as PromiseFulfilledResult<boolean>).value;
      known.at(picked[i]!.path).verdict = pass;
      odds.record(picked[i]!.added, pass);
    });
  }
}

/** Up to `slots` unknown tests, most probable paths first, starting with the one certainly next. */
async function pick(
  first: Unknown,
  replay: (assumed: string) => Promise<StrategyResult | Unknown>,
  odds: Odds,
  slots: number,
): Promise<Unknown[]> {
  const picked: Unknown[] = [];
  // Paths not replayed yet, with their likelihood; the first one is known to lead to `first`.
  const open: Branch[] = [{ path: first.path, probability: 1 }];
  while (open.length > 0 && picked.length < slots) {
    // Best first; ties go to the path opened earlier, so the choice never depends on timing.
    let best = 0;
    open.forEach((b, i) => b.probability > open[best]!.probability && (best = i));
    const { path, probability } = open.splice(best, 1)[0]!;
    const at = picked.length === 0 ? first : await replay(path);
    if (!(at instanceof Unknown)) continue; // the run ends there
    picked.push(at);
    const pass = odds.pass(at.added);
    open.push({ path: `${at.path}1`, probability: probability * pass });
    open.push({ path: `${at.path}0`, probability: probability * (1 - pass) });
  }
  return picked;
}
