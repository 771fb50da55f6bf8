// The first guess: what it is (--from, or what other runs needed), and the first-guess stage, which builds and boots it before the start config.
import { withValues } from '../../kconfig/kernel.js';
import type { DotConfig } from '../../kconfig/dotconfig.js';
import type { RunPlan } from '../../plan/plan.js';
import { planCandidates, type CandidatePlan } from '../../search/candidates.js';
import type { EventListener } from '../../search/events.js';
import { stillEnabled } from '../../search/fixpoint.js';
import path from 'node:path';
import { fromGuess, learnedGuess, ownGuess, ownRun, withCallEvidence, type Guess } from '../../search/guess.js';
import { packageRoot } from '../../util/paths.js';
import { knowledgeFile, readKnowledge } from '../../search/knowledge.js';
import type { Previous } from '../../search/previous.js';
import { tryGuess } from '../../search/try-guess.js';
import { normalizedBy } from '../../search/evaluator.js';
import type { StageStep } from '../runner.js';
import type { GuestDisks } from '../../profile/harness.js';
import type { RunState } from '../state.js';

/** What decides the harness set besides the config: the guest's network and the run's compression. */
export function scopeOf(s: RunState) {
  return { network: s.plan.search.network, compression: s.initramfs.compression, disks: disksOf(s) };
}

/** The guest's disks, which decide the profile's disk and volume harness lists. */
export function disksOf(s: RunState): GuestDisks {
  return { rootDisk: s.initramfs.disk === true, volumes: (s.volumes?.length ?? 0) > 0 };
}

/** The candidates of a config the search reached, planned as the first ones were: same keep, and a bounded list stays bounded. */
export function replanOf(s: RunState): (config: DotConfig) => CandidatePlan {
  const { plan, model } = s;
  return (config) => planCandidates(config, plan.kernel.profile, model, { ...scopeOf(s), only: stillEnabled(config, plan.search.candidates) });
}

/**
 * The first guess, built and booted before the start config: when it passes, the app and the tests
 * are shown to work on a smaller kernel, and the start config (the largest build of a cold run) is
 * never built; the kernel search's first test is then this verdict again. When it fails, the sanity
 * stage builds the start config, as a run without a guess does. With a kernel trace the start is
 * built already, and the search tries the guess as before.
 */
export const firstGuessStage: StageStep<RunState> = {
  stage: 'first-guess',
  skip: (s) => !s.guess || s.reference !== undefined,
  message: () => 'building and booting the first guess (when it passes, the start config is never built)',
  run: async (s) => {
    const { evaluator } = s.ctx;
    const { model } = s;
    const cut = (names: readonly string[]) => withValues(s.start.config, [...names], 'n');
    const trial = await tryGuess({
      evaluator, cmdline: s.plan.boot.cmdline, guess: s.guess!, kind: 'first guess', candidates: s.candidates, isNoop: s.candidatePlan.isNoop,
      replan: replanOf(s), without: (names) => evaluator.normalize(cut(names)),
      preview: model && (async (names) => normalizedBy((config) => model.resolve(config), cut(names))),
      emit: s.emit,
    });
    if (!trial) return;
    s.guessTrial = trial;
    const v = trial.verdict;
    if (v.status === 'pass') s.reference = { kind: 'guess', config: trial.config, verdict: v };
    else s.emit({ type: 'info', message: `the first guess fails (${v.status}: ${v.reason}); building the start config to check the app and the tests on it` });
  },
};

/** What the first guess is made of besides the profile and the knowledge file. */
export interface GuessEvidence {
  /** The --trace run's calls, by the option they need. */
  used?: ReadonlyMap<string, readonly string[]>;
  /** What the binaries can call, by the option it needs. */
  reachable?: ReadonlyMap<string, readonly string[]>;
  /** The run's candidates: the messages count and name only these. */
  candidates?: ReadonlySet<string>;
  /** The app's path on this host and the kernel's version: an earlier finished run of the same app is its guess. */
  app?: string;
  kernelVersion?: string;
}

/**
 * --from's result, else (unless --no-prior) an earlier finished run of this app (ownRun), else what
 * the profile's shipped prior and the finished runs in the knowledge file needed; the run says which.
 */
export async function firstGuess(plan: RunPlan, previous: Previous | undefined, emit: EventListener, evidence: GuessEvidence = {}): Promise<Guess | undefined> {
  const { used = new Map(), reachable = new Map(), candidates } = evidence;
  const { profile, cache } = plan.kernel;
  const { noPrior, from: fromFlag } = plan.search;
  if (noPrior && !previous) {
    emit({ type: 'info', message: 'first guess: none (--no-prior)' });
    return undefined;
  }
  const file = knowledgeFile(cache, profile.name);
  const runs = noPrior ? [] : await readKnowledge(file, (message) => emit({ type: 'warning', message }));
  const learned = noPrior ? undefined : withCallEvidence(learnedGuess(profile.search.prior, runs), used, reachable);
  const from = [
    ...(profile.search.prior.length ? [`the profile's search.prior (${profile.search.prior.map((p) => `${p.example}: ${p.needed.length}`).join(', ')})`] : []),
    ...(runs.length ? [`${runs.length} finished run${runs.length === 1 ? '' : 's'} in ${file}`] : []),
    ...(used.size && !noPrior ? [`the --trace run's calls (${[...used.keys()].join(', ')})`] : []),
    ...(reachable.size && !noPrior ? [`what the binaries can call (${[...reachable.keys()].filter((n) => !candidates || candidates.has(n)).join(', ') || 'no candidate'})`] : []),
  ];
  const counted = (options: ReadonlyMap<string, unknown> = new Map()) => [...options.keys()].filter((n) => !candidates || candidates.has(n)).length;
  if (previous) {
    // A tinyx result is evidence; any other .config only bounds the search.
    if (!previous.isResult) emit({ type: 'info', message: `first guess: ${fromFlag} (a .config outside a tinyx out dir: what it keeps is searched by the strategy once it holds)` });
    const guess = fromGuess(previous.config, fromFlag!, previous.isResult, learned);
    if (guess.widen) emit({ type: 'info', message: `if --from's options fail: ${guess.widen.size} more that other runs needed are tried first, from ${from.join(' and ')}` });
    return guess;
  }
  const own = evidence.app ? ownRun(evidence.app, profile.search.prior, runs, evidence.kernelVersion ?? '', path.join(packageRoot(), 'examples')) : undefined;
  if (own) {
    const guess = ownGuess(own, learned);
    emit({ type: 'info', message: `first guess: this app's own finished run (${own.by}), keeping the ${counted(guess.keep)} candidates it needed; if that fails, ${counted(guess.widen)} more from ${from.join(' and ')} are tried first` });
    return guess;
  }
  emit({ type: 'info', message: learned ? `first guess: ${counted(learned.keep)} candidates, from ${from.join(' and ')}` : 'first guess: none (no shipped prior, no finished runs of this profile yet)' });
  return learned;
}
