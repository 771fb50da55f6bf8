// Between rounds of the kernel search: the options that became candidates, and the closing 1-minimality check.
import { enabledSymbols, symbolName, type DotConfig } from '../kconfig/dotconfig.js';
import { TinyxError } from '../errors.js';
import type { Evaluator, Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import type { CandidatePlan } from './candidates.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import type { Verdict } from '../tester/verdict.js';

/**
 * A bounded candidate list (`--candidates`) narrowed to what `config` still enables, so a plan on a
 * config the search reached stays within it without refusing the names already removed.
 */
export function stillEnabled(config: DotConfig, only: readonly string[] | undefined): string[] | undefined {
  if (!only) return undefined;
  const enabled = new Set(enabledSymbols(config));
  return only.filter((n) => enabled.has(symbolName(n)));
}

/** Verdicts of a search by normalized config hash: true for a pass, else the failure as a reason. */
export type SeenVerdicts = Map<string, true | string>;

/** What SeenVerdicts keeps of a verdict. */
export function seenAs(verdict: Verdict): true | string {
  return verdict.status === 'pass' || `${verdict.status}: ${verdict.reason}`;
}

/** A candidate on a config: removing it changes nothing, turns on more options than it turns off, or neither. */
export type CandidateStatus = 'noop' | 'grows' | 'live';

/**
 * Removing an option grows the config when more options end up enabled than before: EXPERT, say,
 * hides prompts, whose options fall back to their defaults (y) once it is off. No reduction, so
 * never searched and never counted against 1-minimality; the reason says what it would turn on.
 */
export function growth(cut: Normalized, base: Normalized): string | undefined {
  const before = new Set(enabledSymbols(base.config));
  const after = enabledSymbols(cut.config);
  if (after.length <= before.size) return undefined;
  const gained = after.filter((n) => !before.has(n));
  const shown = gained.length <= 6 ? gained.join(' ') : `${gained.slice(0, 6).join(' ')} ...`;
  return `grows: removing it alone turns on ${gained.length} options that were off (${shown}), more than it turns off`;
}

/**
 * The candidates of a fresh plan that no round searched yet, in plan order: never tried, or tried
 * as a no-op or a grower and neither now (a `select` went with an earlier removal). `tried` holds
 * each candidate's status when it was tried; a kept live candidate is left to closingCheck.
 * `skipped`: the untried ones (or changed) that are no-ops or growers now, for the caller to record.
 */
export async function freshCandidates(
  plan: CandidatePlan,
  tried: ReadonlyMap<string, CandidateStatus>,
  statusOf: (name: string) => Promise<CandidateStatus>,
): Promise<{ candidates: SearchCandidate[]; skipped: { name: string; status: Exclude<CandidateStatus, 'live'> }[] }> {
  const fresh: SearchCandidate[] = [];
  const skipped: { name: string; status: Exclude<CandidateStatus, 'live'> }[] = [];
  for (const c of plan.candidates) {
    const was = tried.get(c.name);
    if (was === 'live') continue;
    const now = await statusOf(c.name);
    if (now === 'live') fresh.push(c);
    else if (now !== was) skipped.push({ name: c.name, status: now });
  }
  return { candidates: fresh.map((c, priority) => ({ ...c, priority })), skipped };
}

export interface ClosingCheckInput {
  evaluator: Evaluator;
  final: Normalized;
  cmdline: string;
  /** The options to check, in order: the final config's candidates (and any kept one besides). */
  names: string[];
  /** `final` with these options disabled too, normalized. */
  without: (names: readonly string[]) => Promise<Normalized>;
  isNoop?: (name: string) => boolean;
  /** Verdicts of this search: a single removal already judged costs nothing. */
  seen: SeenVerdicts;
  reasons: Record<string, string>;
  parallel: number;
  signal?: AbortSignal;
  emit: EventListener;
}

/**
 * Removes each option alone from the final config, `parallel` at a time in order, until a window
 * holds a pass: returns the lowest passing option (to remove; the caller plans again), or
 * undefined when every option fails alone, is a no-op or grows the config: the final config is
 * then 1-minimal.
 * Returns the options it evaluated besides, for the record.
 */
export async function closingCheck(input: ClosingCheckInput): Promise<{ removable?: string; checked: string[] }> {
  const { evaluator, final, seen } = input;
  const open: { name: string; config: Normalized }[] = [];
  for (const name of input.names) {
    if (input.isNoop?.(name)) continue;
    const config = await input.without([name]);
    if (config.hash === final.hash) continue;
    const was = seen.get(config.hash);
    if (typeof was === 'string') {
      input.reasons[name] ??= was;
      continue;
    }
    const grows = growth(config, final);
    if (grows) {
      input.reasons[name] = grows;
      continue;
    }
    open.push({ name, config });
  }
  if (open.length === 0) return { checked: [] };
  input.emit({ type: 'info', message: `closing check: removing each of ${open.length} kept option${open.length === 1 ? '' : 's'} alone from the final config (1-minimality)` });
  const parallel = Math.max(1, Math.floor(input.parallel) || 1);
  // At most: the check stops at the first pass.
  input.emit({ type: 'tests-planned', tests: open.length, parallel });
  const checked: string[] = [];
  for (let at = 0; at < open.length; at += parallel) {
    if (input.signal?.aborted) throw new TinyxError('TINYX_INTERRUPTED', 'search interrupted', { cause: input.signal.reason });
    const window = open.slice(at, at + parallel);
    // Every test of the window settles before a failure stops the search, as in a strategy's ledger.
    const settled = await Promise.allSettled(window.map((o) => evaluator.evaluate(o.config, input.cmdline, `-${o.name} (final)`)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    const verdicts = settled.map((s) => (s as PromiseFulfilledResult<Verdict>).value);
    window.forEach((o, i) => {
      const verdict = verdicts[i]!;
      checked.push(o.name);
      seen.set(o.config.hash, seenAs(verdict));
      if (verdict.status !== 'pass') input.reasons[o.name] = `${verdict.status}: ${verdict.reason}`;
    });
    const winner = verdicts.findIndex((v) => v.status === 'pass');
    if (winner >= 0) return { removable: window[winner]!.name, checked };
  }
  return { checked };
}
