// One round of the kernel search: skip the no-ops, run the strategy.
import { withValues } from '../kconfig/kernel.js';
import type { Evaluator, Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import { seenAs, type SeenVerdicts } from './fixpoint.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import { getStrategy } from './strategies/index.js';

export interface RoundInput {
  evaluator: Evaluator;
  start: Normalized;
  cmdline: string;
  /** Options earlier rounds removed: part of every test of this round. */
  fixed: readonly string[];
  candidates: SearchCandidate[];
  /** In-process no-op check on this round's base config; without it each check runs the kernel's olddefconfig. */
  isNoop?: (name: string) => boolean;
  strategy: string;
  parallel: number;
  signal?: AbortSignal;
  emit: EventListener;
  /** Verdicts of this search; the round adds its own. */
  seen: SeenVerdicts;
  /** Why a kept candidate stays; the round adds the verdicts of single removals. */
  reasons: Record<string, string>;
}

export interface RoundOutcome {
  /** Candidates whose removal the kernel's olddefconfig undoes on this round's base: never built. */
  noops: string[];
  /** Candidates this round removed. */
  removed: string[];
  /** Candidates still enabled after the round, no-ops included; in input order. */
  kept: string[];
}

/**
 * Runs the strategy over the round's candidates with `monotone` set: the 1-minimality re-check
 * is the search's own, once on the final config of all rounds (see closingCheck).
 */
export async function searchRound(input: RoundInput): Promise<RoundOutcome> {
  const { evaluator, start, cmdline, seen, reasons } = input;
  const without = (names: readonly string[]) => evaluator.normalize(withValues(start.config, [...input.fixed, ...names], 'n'));
  const judge = async (names: readonly string[], label: string) => {
    const config = await without(names);
    const verdict = await evaluator.evaluate(config, cmdline, label);
    seen.set(config.hash, seenAs(verdict));
    return verdict;
  };

  const base = await without([]);
  const noops: string[] = [];
  const live: SearchCandidate[] = [];
  for (const candidate of input.candidates) {
    const noop = input.isNoop ? input.isNoop(candidate.name) : (await without([candidate.name])).hash === base.hash;
    if (noop) noops.push(candidate.name);
    else live.push(candidate);
  }
  if (noops.length > 0) {
    const what = noops.length === 1 ? `1 candidate (${noops[0]}) is a no-op` : `${noops.length} candidates are no-ops`;
    input.emit({ type: 'info', message: `${what}: the kernel's Kconfig turns it back on, no build needed` });
  }

  if (input.strategy === 'one-at-a-time') input.emit({ type: 'tests-planned', tests: live.length, parallel: input.parallel });
  let lastPass = new Set<string>();
  const result = await getStrategy(input.strategy).run({
    candidates: live,
    parallel: input.parallel,
    signal: input.signal,
    monotone: true,
    test: async (removed) => {
      const delta = removed.filter((n) => !lastPass.has(n));
      const label = delta.length <= 3 ? delta.map((n) => `-${n}`).join(' ') : `-${delta.length} options`;
      const verdict = await judge(removed, label || 'start');
      if (verdict.status === 'pass') {
        if (removed.length >= lastPass.size) lastPass = new Set(removed);
        return true;
      }
      if (delta.length === 1) reasons[delta[0]!] = `${verdict.status}: ${verdict.reason}`;
      return false;
    },
  });
  const removed = new Set(result.removed);
  const names = input.candidates.map((c) => c.name);
  return { noops, removed: names.filter((n) => removed.has(n)), kept: names.filter((n) => !removed.has(n)) };
}
