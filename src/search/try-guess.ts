// The first test of a guessed search: every candidate the guess does not keep, and what their removal frees, removed at once.
import type { CandidatePlan } from './candidates.js';
import type { Evaluator, Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import { growth } from './fixpoint.js';
import type { Guess } from './guess.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import type { Verdict } from '../tester/verdict.js';

export interface GuessTrial {
  /** The candidates the test removed: the first plan's, then what each removal freed, to a fixpoint. */
  removed: string[];
  /** The candidates the guess kept (planned and live). */
  kept: string[];
  config: Normalized;
  verdict: Verdict;
}

/**
 * Removes every candidate the guess does not keep, plans again on what that leaves (options a
 * removed one selected are free now) and removes those too, until no plan adds one; a candidate
 * whose removal changes nothing or grows the config stays, as the search would leave it. Then
 * one evaluation of the config reached. Undefined when that removes nothing.
 */
export async function tryGuess(input: {
  evaluator: Evaluator;
  cmdline: string;
  guess: Guess;
  /** What the progress calls this test: the first guess, its repair or its core. */
  kind: string;
  candidates: readonly SearchCandidate[];
  isNoop?: (name: string) => boolean;
  replan?: (config: Normalized['config']) => CandidatePlan;
  /** The search's base config with these options disabled too, normalized: the config the test builds. */
  without: (names: readonly string[]) => Promise<Normalized>;
  /**
   * `without` answered in-process by the Kconfig engine, for deciding what to remove (seconds where
   * the kernel's olddefconfig for each freed candidate takes minutes); the config tested is still `without`'s.
   */
  preview?: (names: readonly string[]) => Promise<Normalized>;
  emit: EventListener;
}): Promise<GuessTrial | undefined> {
  const { guess } = input;
  const planned = new Set(input.candidates.map((c) => c.name));
  const removed = input.candidates.filter((c) => !guess.keep.has(c.name) && !input.isNoop?.(c.name)).map((c) => c.name);
  const settle = input.preview ?? input.without;
  let config = await settle(removed);
  for (let pass = 0; input.replan && pass < 8; pass++) {
    const plan = input.replan(config.config);
    const freed = plan.candidates.filter((c) => !planned.has(c.name));
    for (const c of freed) planned.add(c.name);
    const more: string[] = [];
    for (const c of freed) {
      if (guess.keep.has(c.name) || plan.isNoop?.(c.name)) continue;
      const cut = await settle([...removed, c.name]);
      if (cut.hash !== config.hash && !growth(cut, config)) more.push(c.name);
    }
    if (more.length === 0) break;
    removed.push(...more);
    config = await settle(removed);
  }
  if (removed.length === 0) return undefined;
  if (input.preview) config = await input.without(removed);
  const enabled = (name: string) => config.config.get(name) === 'y';
  const kept = [...planned].filter((n) => guess.keep.has(n) && enabled(n));
  input.emit({ type: 'info', message: `${input.kind} (${guess.source === 'from' ? '--from' : 'learned'}): keeping ${kept.length} candidate${kept.length === 1 ? '' : 's'} (${kept.join(', ') || 'none'}), removing the other ${removed.length} at once` });
  input.emit({ type: 'tests-planned', tests: 1, parallel: 1 });
  const verdict = await input.evaluator.evaluate(config, input.cmdline, `guess: -${removed.length} options`);
  return { removed, kept, config, verdict };
}
