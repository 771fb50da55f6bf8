// The two searches: kernel options (strategy over candidates) and boot options (over cmdline tokens).
import { enabledSymbols } from '../kconfig/dotconfig.js';
import { withValues } from '../kconfig/kernel.js';
import { getStrategy, type SearchCandidate } from './strategy.js';
import type { Evaluator, Normalized } from './evaluator.js';
import type { EventListener } from './events.js';

export interface KernelSearchResult {
  final: Normalized;
  candidates: string[];
  /** Candidates whose removal the kernel's olddefconfig undoes (forced or hidden): never built. */
  noops: string[];
  /** Every option enabled at the start and not at the end (candidates and what they took along). */
  removed: string[];
  /** Candidates still enabled at the end. */
  kept: string[];
  /** Why a kept candidate stays: the verdict of removing it. */
  reasons: Record<string, string>;
}

export async function searchKernel(input: {
  evaluator: Evaluator;
  start: Normalized;
  cmdline: string;
  candidates: SearchCandidate[];
  /** In-process no-op check (the Kconfig engine); without it each check runs the kernel's olddefconfig. */
  isNoop?: (name: string) => boolean;
  strategy: string;
  parallel: number;
  signal?: AbortSignal;
  emit: EventListener;
  /** Options a previous result removed (--from): tried first, all at once. */
  prior?: ReadonlySet<string>;
  /** Passed to the strategy: skip the closing re-checks (see StrategyContext.monotone). */
  monotone?: boolean;
}): Promise<KernelSearchResult> {
  const { evaluator, start, cmdline } = input;
  /** Removed by the --from group test; part of every later test. */
  let fixed: string[] = [];
  const without = (names: readonly string[]) => evaluator.normalize(withValues(start.config, [...fixed, ...names], 'n'));

  const noops: string[] = [];
  const live: SearchCandidate[] = [];
  for (const candidate of input.candidates) {
    const noop = input.isNoop ? input.isNoop(candidate.name) : (await without([candidate.name])).hash === start.hash;
    if (noop) noops.push(candidate.name);
    else live.push(candidate);
  }
  if (noops.length > 0) {
    const what = noops.length === 1 ? `1 candidate (${noops[0]}) is a no-op` : `${noops.length} candidates are no-ops`;
    input.emit({ type: 'info', message: `${what}: the kernel's Kconfig turns it back on, no build needed` });
  }

  const reasons: Record<string, string> = {};
  let strategy = input.strategy;
  let searched = live;
  if (input.prior && input.prior.size > 0) {
    const group = live.filter((c) => input.prior!.has(c.name)).map((c) => c.name);
    const verdict = group.length > 0 ? await evaluator.evaluate(await without(group), cmdline, `-${group.length} options (as in --from)`) : undefined;
    if (verdict?.status === 'pass') {
      // The previous result still holds: what it kept is probably still needed, so one test each.
      fixed = group;
      searched = live.filter((c) => !input.prior!.has(c.name));
      strategy = 'one-at-a-time';
      input.emit({ type: 'info', message: `--from: the ${group.length} options the previous result removed still pass; checking the ${searched.length} it kept one at a time` });
    } else {
      searched = [...live.filter((c) => input.prior!.has(c.name)), ...live.filter((c) => !input.prior!.has(c.name))]
        .map((c, priority) => ({ ...c, priority }));
      if (verdict) input.emit({ type: 'info', message: `--from: removing the ${group.length} options of the previous result fails now (${verdict.status}); searching them first` });
    }
  }
  let lastPass = new Set<string>();
  const result = await getStrategy(strategy).run({
    candidates: searched,
    parallel: input.parallel,
    signal: input.signal,
    monotone: input.monotone,
    test: async (removed) => {
      const delta = removed.filter((n) => !lastPass.has(n));
      const label = delta.length <= 3 ? delta.map((n) => `-${n}`).join(' ') : `-${delta.length} options`;
      const verdict = await evaluator.evaluate(await without(removed), cmdline, label || 'start');
      if (verdict.status === 'pass') {
        if (removed.length >= lastPass.size) lastPass = new Set(removed);
        return true;
      }
      if (delta.length === 1) reasons[delta[0]!] = `${verdict.status}: ${verdict.reason}`;
      return false;
    },
  });

  const final = await without(result.removed);
  const finalEnabled = new Set(enabledSymbols(final.config));
  for (const name of noops) reasons[name] = 'forced: olddefconfig turns it back on (selected or without a prompt)';
  return {
    final,
    candidates: input.candidates.map((c) => c.name),
    noops,
    removed: enabledSymbols(start.config).filter((n) => !finalEnabled.has(n)),
    kept: input.candidates.map((c) => c.name).filter((n) => finalEnabled.has(n)),
    reasons,
  };
}

export async function searchCmdline(input: {
  evaluator: Evaluator;
  config: Normalized;
  cmdline: string;
  keep: string[];
  strategy: string;
  parallel: number;
  signal?: AbortSignal;
}): Promise<{ cmdline: string; removed: string[] }> {
  const tokens = input.cmdline.split(/\s+/).filter(Boolean);
  const keep = new Set(input.keep);
  const candidates = tokens.filter((t) => !keep.has(t));
  const build = (removed: readonly string[]) => tokens.filter((t) => !removed.includes(t)).join(' ');
  const result = await getStrategy(input.strategy).run({
    candidates: candidates.map((name, priority) => ({ name, priority })),
    parallel: input.parallel,
    signal: input.signal,
    test: async (removed) => {
      const verdict = await input.evaluator.evaluate(input.config, build(removed), `boot: -${removed.join(' -')}`);
      return verdict.status === 'pass';
    },
  });
  return { cmdline: build(result.removed), removed: result.removed };
}
