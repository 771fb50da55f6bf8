// The two searches: kernel options (rounds of a strategy over candidates, to a fixpoint) and boot options.
import { enabledSymbols, type DotConfig } from '../kconfig/dotconfig.js';
import { withValues } from '../kconfig/kernel.js';
import type { CandidatePlan } from './candidates.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import { getStrategy } from './strategies/index.js';
import { normalizedBy, type Evaluator, type Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import { closingCheck, freshCandidates, growth, seenAs, type CandidateStatus, type SeenVerdicts } from './fixpoint.js';
import { searchRound } from './round.js';
import { coreOf, coreWithCalls, orderByGuess, type Guess, type GuessRecord } from './guess.js';
import { tryGuess } from './try-guess.js';

/** One round of the kernel search and what it decided. */
export interface SearchRound {
  /** Round 1: the start config's candidates; later rounds: the options earlier removals freed. */
  candidates: string[];
  /** Candidates this round removed. */
  removed: string[];
  /** Candidates still enabled after the round (no-ops included). */
  kept: string[];
  /** Kernel builds the round paid for (verdicts already journaled cost none). */
  builds: number;
  /** The first guess's one test, when it held: its candidates are what it removed at once. */
  guess?: true;
}

export interface KernelSearchResult {
  final: Normalized;
  /** Every candidate of every round's plan, in the order they were first planned (searched or set aside). */
  candidates: string[];
  /** Candidates whose removal the kernel's olddefconfig undoes (forced or hidden): never built. */
  noops: string[];
  /** Every option enabled at the start and not at the end (candidates and what they took along). */
  removed: string[];
  /** Candidates still enabled at the end. */
  kept: string[];
  /** Why a kept candidate stays: the verdict of removing it. */
  reasons: Record<string, string>;
  /** The rounds, until one that frees no new candidate. */
  rounds: SearchRound[];
  /**
   * The closing check of every kept option alone on the final config (skipped when monotone):
   * the options it evaluated, those it removed (a failure on a smaller config turned into a pass),
   * and the builds it paid for.
   */
  recheck: { checked: string[]; removed: string[]; builds: number };
  /** The first guess and whether it held (no guess: undefined). */
  guess?: GuessRecord;
}

/**
 * Rounds to a fixpoint: each round searches its candidates (`searchRound`); then the candidates
 * of the config reached are planned afresh (`replan`), and the ones no round searched yet (an
 * option a removed candidate selected, now free) make the next round, except no-ops and options
 * whose removal turns on more options than it turns off (`growth`). When none is left, unless
 * `monotone`, each kept option is removed alone from the final config (`closingCheck`): one that
 * passes is removed and planning starts again. So the result is 1-minimal over the final
 * config's own candidates. Without `replan`, one round and the closing check.
 */
export async function searchKernel(input: {
  evaluator: Evaluator;
  start: Normalized;
  cmdline: string;
  candidates: SearchCandidate[];
  /** In-process no-op check on the start config (the Kconfig engine); without it each check runs the kernel's olddefconfig. */
  isNoop?: (name: string) => boolean;
  /** The candidates of a config the search reached, planned as the first ones were (same keep, same bounded list). */
  replan?: (config: DotConfig) => CandidatePlan;
  /**
   * olddefconfig in-process (the Kconfig engine): decides which removals change nothing or grow the
   * config, and what a guess frees, without running the kernel's for each; what is built is always the kernel's.
   */
  preview?: (config: DotConfig) => DotConfig;
  strategy: string;
  parallel: number;
  signal?: AbortSignal;
  emit: EventListener;
  /**
   * The first guess (--from, or learned): every candidate it does not keep is removed in one
   * test first; if that passes, the ones it keeps are tested one at a time, likeliest to go first;
   * if not, the search runs on all of them, its removals first. Every round is ordered by it.
   */
  guess?: Guess;
  /** Trust that removing more never turns a failure into a pass: no closing check (see StrategyContext.monotone). */
  monotone?: boolean;
}): Promise<KernelSearchResult> {
  const { evaluator, start, cmdline } = input;
  /** Candidates removed so far, by rounds and by the closing check, in order. */
  const removed: string[] = [];
  const without = (names: readonly string[]) => evaluator.normalize(withValues(start.config, [...removed, ...names], 'n'));
  const preview = input.preview && ((names: readonly string[]) => Promise.resolve(normalizedBy(input.preview!, withValues(start.config, [...removed, ...names], 'n'))));
  const seen: SeenVerdicts = new Map();
  const reasons: Record<string, string> = {};
  /** Each candidate tried so far (searched, or set aside as a no-op or a grower), with its status then. */
  const tried = new Map<string, CandidateStatus>();
  const rounds: SearchRound[] = [];
  const recheck = { checked: [] as string[], removed: [] as string[], builds: 0 };
  const builds = () => evaluator.builds;

  /** The next round's plan, or undefined at the fixpoint (after the closing check). */
  const settle = async (last: CandidatePlan): Promise<CandidatePlan | undefined> => {
    for (;;) {
      const final = await without([]);
      const plan = input.replan?.(final.config);
      const base = preview ? await preview([]) : final;
      const statusOf = async (name: string): Promise<CandidateStatus> => {
        if (plan?.isNoop?.(name)) return 'noop';
        const cut = await (preview ?? without)([name]);
        if (cut.hash === base.hash) return 'noop';
        const grows = growth(cut, base);
        if (grows) reasons[name] = grows;
        return grows ? 'grows' : 'live';
      };
      const fresh = plan ? await freshCandidates(plan, tried, statusOf) : { candidates: [], skipped: [] };
      for (const { name, status } of fresh.skipped) tried.set(name, status);
      const growers = fresh.skipped.filter((s) => s.status === 'grows').map((s) => s.name);
      if (growers.length > 0) input.emit({ type: 'info', message: `not searched, as removing each alone turns on more options than it turns off: ${growers.join(', ')}` });
      if (fresh.candidates.length > 0) return { candidates: fresh.candidates, isNoop: plan!.isNoop };
      if (input.monotone) return undefined;
      const enabled = new Set(enabledSymbols(final.config));
      const planned = (plan ?? last).candidates.map((c) => c.name);
      const keptElsewhere = [...tried.keys()].filter((n) => enabled.has(n) && !planned.includes(n));
      const paid = builds();
      const { removable, checked } = await closingCheck({
        evaluator, final, cmdline, names: orderByGuess([...planned.filter((n) => enabled.has(n)), ...keptElsewhere].map((name) => ({ name })), input.guess).map((c) => c.name),
        without, isNoop: plan?.isNoop, seen, reasons, parallel: input.parallel, signal: input.signal, emit: input.emit,
      });
      recheck.checked.push(...checked.filter((n) => !recheck.checked.includes(n)));
      recheck.builds += builds() - paid;
      if (!removable) return undefined;
      input.emit({ type: 'info', message: `closing check: ${removable} passes when removed alone from the final config; removing it and planning again` });
      removed.push(removable);
      recheck.removed.push(removable);
    }
  };

  type Plan = CandidatePlan & { strategy?: string; guessKept?: boolean };
  /** Searches a plan's candidates on top of what is removed so far, and records the round. */
  const runRound = async (plan: Plan): Promise<void> => {
    const candidates = orderByGuess(plan.candidates, input.guess);
    input.emit({ type: 'round', round: rounds.length + 1, candidates: candidates.map((c) => c.name), removedBefore: removed.length, ...(plan.guessKept ? { guessKept: true } : {}) });
    const paid = builds();
    const round = await searchRound({
      evaluator, start, cmdline, fixed: [...removed], candidates, isNoop: plan.isNoop, strategy: plan.strategy ?? input.strategy,
      parallel: input.parallel, signal: input.signal, emit: input.emit, seen, reasons,
    });
    removed.push(...round.removed);
    const noops = new Set(round.noops);
    const planned = plan.candidates.map((c) => c.name);
    for (const name of planned) tried.set(name, noops.has(name) ? 'noop' : 'live');
    const inPlan = (list: string[]) => planned.filter((n) => list.includes(n));
    rounds.push({ candidates: planned, removed: inPlan(round.removed), kept: inPlan(round.kept), builds: builds() - paid });
  };

  const first: CandidatePlan = { candidates: input.candidates, isNoop: input.isNoop };
  let plan: Plan | undefined = first;
  let guess: GuessRecord | undefined;
  // The guess (widened, then repaired, if it fails), then its core (what more than half the runs needed), while each holds.
  type Tier = { guess: Guess; kind: 'first guess' | 'widened guess' | 'repaired guess' | 'core of the guess' | 'core with the calls'; added?: string[] };
  const tiers: Tier[] = input.guess ? [{ guess: input.guess, kind: 'first guess' }] : [];
  /** The first guess's test, when it failed and was widened: what a failing widened guess's repair searches. */
  let firstFailed: { removed: string[]; kept: string[]; guess: Guess } | undefined;
  /** The guess whose core is tried: what the core with the calls is made from, if the core fails. */
  let heldGuess: Guess | undefined;
  for (let tier = tiers.shift(); tier && plan; tier = tiers.shift()) {
    const { kind } = tier;
    const paid = builds();
    const trial = await tryGuess({
      evaluator, cmdline, guess: tier.guess, kind, candidates: plan.candidates, isNoop: plan.isNoop, replan: input.replan, without, preview, emit: input.emit,
    });
    const judged = trial && seenAs(trial.verdict);
    const failure = typeof judged === 'string' ? judged : undefined;
    if (trial) {
      seen.set(trial.config.hash, judged!);
      const record = { kept: trial.kept, removed: trial.removed.length, held: !failure, ...(failure ? { reason: failure } : {}) };
      if (kind === 'first guess') guess = { source: tier.guess.source, ...(tier.guess.own ? { own: tier.guess.own } : {}), ...record };
      else if (guess && kind === 'widened guess') guess.widened = { ...record, added: tier.added ?? [] };
      else if (guess) guess[kind === 'repaired guess' ? 'repaired' : kind === 'core with the calls' ? 'coreWithCalls' : 'core'] = record;
    }
    // What other runs needed is the likeliest cause: one more test with those of its removals left in, before searching them all.
    const widen = tier.guess.widen;
    const added = failure && kind === 'first guess' && widen ? trial!.removed.filter((n) => widen.has(n)) : [];
    if (added.length > 0) {
      firstFailed = { removed: trial!.removed, kept: trial!.kept, guess: tier.guess };
      input.emit({ type: 'info', message: `the first guess fails (${failure}); trying it again with the ${added.length} of its removals that other runs needed left in (${added.join(', ')})` });
      const keep = new Map([...tier.guess.keep, ...added.map((n): [string, readonly string[]] => [n, widen!.get(n)!])]);
      tiers.unshift({ guess: { ...tier.guess, keep, widen: undefined }, kind: 'widened guess', added });
      continue;
    }
    if (failure && (kind === 'first guess' || kind === 'widened guess')) {
      // Few of its removals are probably needed: search them with what it kept left in, then try it again with what that found.
      // A widened guess that fails adds nothing to know: the first guess's removals are searched, what it added among them.
      const base = (kind === 'widened guess' && firstFailed) || { removed: trial!.removed, kept: trial!.kept, guess: tier.guess };
      input.emit({ type: 'info', message: `the ${kind} fails (${failure}); searching the ${base.removed.length} options ${kind === 'first guess' ? 'it' : 'the first guess'} removed, with the ${base.kept.length} it kept left in` });
      const group = new Set(base.removed);
      const kept: SearchCandidate[] = plan.candidates.filter((c) => !group.has(c.name));
      await runRound({ candidates: plan.candidates.filter((c) => group.has(c.name)), isNoop: plan.isNoop });
      const found = [...group].filter((n) => tried.get(n) === 'live' && !removed.includes(n));
      tiers.unshift({ guess: { ...base.guess, keep: new Map([...base.guess.keep, ...found.map((n): [string, string[]] => [n, ['this run']])]), widen: undefined }, kind: 'repaired guess' });
      plan = { candidates: kept, isNoop: plan.isNoop };
      continue;
    }
    const withCalls = failure && kind === 'core of the guess' && heldGuess ? coreWithCalls(heldGuess) : undefined;
    if (withCalls) {
      input.emit({ type: 'info', message: `the core of the guess fails (${failure}); trying it again with what the app's calls need kept too` });
      tiers.unshift({ guess: withCalls, kind: 'core with the calls' });
      continue;
    }
    if (failure) {
      input.emit({ type: 'info', message: `the ${kind} fails (${failure}); searching what it kept` });
      plan = { ...plan, strategy: undefined, guessKept: true };
      break;
    }
    if (trial) {
      removed.push(...trial.removed);
      for (const name of trial.removed) tried.set(name, 'live');
      rounds.push({ candidates: trial.removed, removed: trial.removed, kept: [], builds: builds() - paid, guess: true });
      input.emit({ type: 'info', message: `the ${kind} holds: ${trial.removed.length} options removed in one test; ${trial.kept.length} kept to test` });
    }
    if (kind === 'widened guess' && tier.added) {
      // Its previous result went without them, so they probably can go still: searched as a group by the strategy, not one each.
      const byName = new Map(plan.candidates.map((c) => [c.name, c]));
      await runRound({ candidates: tier.added.map((name) => byName.get(name) ?? { name }), isNoop: plan.isNoop });
    }
    const core = kind === 'core of the guess' || kind === 'core with the calls' ? undefined : coreOf(tier.guess);
    if (core) {
      heldGuess = tier.guess;
      tiers.push({ guess: core, kind: 'core of the guess' });
    }
    // What a search found needed probably still is: one test each (a group would fail), likeliest to go first.
    const rest: CandidatePlan | undefined = input.replan
      ? await settle(first)
      : { candidates: plan.candidates.filter((c) => !trial?.removed.includes(c.name)), isNoop: input.isNoop };
    plan = rest && { ...rest, strategy: tier.guess.evidence ? 'one-at-a-time' : undefined, guessKept: true };
  }
  while (plan) {
    await runRound(plan);
    plan = await settle(plan);
  }

  const final = await without([]);
  const finalEnabled = new Set(enabledSymbols(final.config));
  // In the order first planned (a guess's round tries them in its own order).
  const firstOrder = new Map(input.candidates.map((c, i) => [c.name, i]));
  const candidates = [...tried.keys()].map((n, i) => ({ n, i })).sort((a, b) => (firstOrder.get(a.n) ?? Infinity) - (firstOrder.get(b.n) ?? Infinity) || a.i - b.i).map(({ n }) => n);
  const noops = candidates.filter((n) => tried.get(n) === 'noop' && finalEnabled.has(n));
  for (const name of noops) reasons[name] = 'forced: olddefconfig turns it back on (selected or without a prompt)';
  return {
    final,
    candidates,
    noops,
    removed: enabledSymbols(start.config).filter((n) => !finalEnabled.has(n)),
    kept: candidates.filter((n) => finalEnabled.has(n)),
    reasons,
    rounds,
    recheck,
    ...(guess ? { guess } : {}),
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
