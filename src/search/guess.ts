// The first guess of what an app needs: a previous result (--from), or what finished runs of the profile needed.
import path from 'node:path';
import { enabledSymbols, type DotConfig } from '../kconfig/dotconfig.js';
import type { PriorRun } from '../profile/types.js';
import type { KnowledgeRun } from './knowledge.js';
import type { SearchCandidate } from '../kconfig/candidate.js';

/** The options a guess keeps; every other candidate is removed at once in the first test. */
export interface Guess {
  /** from: the previous result's config (--from); learned: the profile's search.prior and the knowledge file. */
  source: 'from' | 'learned';
  /**
   * A learned guess made of an earlier finished run of this same app (ownGuess): the run, as the
   * knowledge file or the prior names it (the app's path, `profile:NAME`).
   */
  own?: string;
  /** Each option kept, with the runs that needed it (--from: the previous result's path). */
  keep: ReadonlyMap<string, readonly string[]>;
  /** The runs it learned from, those that needed nothing beyond the harness included. */
  runs: readonly string[];
  /**
   * Whether what it keeps was found needed by a search (a tinyx result, or learned): its kept options
   * are then tested one at a time once it holds. A plain .config is only a bound: the search
   * strategy then searches what it kept.
   */
  evidence: boolean;
  /**
   * When this guess fails, the options other runs needed (a --from guess: the learned guess's),
   * each with the runs that needed it: left in for one more test before its removals are searched,
   * since an app that changed most likely needs what other apps needed.
   */
  widen?: ReadonlyMap<string, readonly string[]>;
}

/**
 * --from: the guess is what the previous result kept enabled (`evidence`: it is a tinyx result);
 * `learned`, what other runs needed, widens it when it fails.
 */
export function fromGuess(previous: DotConfig, where: string, evidence = true, learned?: Guess): Guess {
  return { source: 'from', ...oneRun(enabledSymbols(previous), where, learned), evidence };
}

/** What a guess from one run keeps (its options, each found by `by`), and what `learned` keeps besides, as its widening. */
function oneRun(options: readonly string[], by: string, learned: Guess | undefined): Pick<Guess, 'keep' | 'runs' | 'widen'> {
  const keep = new Map(options.map((n): [string, string[]] => [n, [by]]));
  const widen = learned && new Map([...learned.keep].filter(([name]) => !keep.has(name)));
  return { keep, runs: [by], ...(widen?.size ? { widen } : {}) };
}

/**
 * The union of what the profile's shipped prior and the finished runs in the knowledge file
 * needed, each option with the runs that needed it (`profile:NAME` for a shipped example, the
 * app's path for a run on this host). A run that needed nothing is a guess too (remove every
 * candidate); undefined only when there is no run at all.
 */
export function learnedGuess(prior: readonly PriorRun[], runs: readonly KnowledgeRun[]): Guess | undefined {
  const keep = new Map<string, string[]>();
  const sources: string[] = [];
  const add = (by: string, options: readonly string[]) => {
    if (!sources.includes(by)) sources.push(by);
    for (const option of options) {
      const list = keep.get(option) ?? [];
      if (!list.includes(by)) list.push(by);
      keep.set(option, list);
    }
  };
  for (const p of prior) add(`profile:${p.example}`, p.needed);
  for (const run of runs) add(run.app, run.needed.map((n) => n.option));
  return sources.length > 0 ? { source: 'learned', keep, runs: sources, evidence: true } : undefined;
}

/** An earlier finished run of the app itself: who found it (the app's path, `profile:NAME`) and the candidates it needed. */
export interface OwnRun {
  by: string;
  needed: readonly string[];
}

/**
 * Pure: an earlier finished run of this app, if one is known: the knowledge file's run of the same
 * path (on this kernel version if there is one, else the latest), else the shipped prior's run of
 * the bundled example the app lies in (`EXAMPLES/NAME/...`, where the prior's runs were made).
 */
export function ownRun(app: string, prior: readonly PriorRun[], runs: readonly KnowledgeRun[], kernelVersion: string, examplesDir: string): OwnRun | undefined {
  const mine = runs.filter((r) => r.app === app).reverse();
  const run = mine.find((r) => r.kernelVersion === kernelVersion) ?? mine[0];
  if (run) return { by: run.app, needed: run.needed.map((n) => n.option) };
  const inside = path.relative(examplesDir, app);
  const example = inside.split(path.sep)[0];
  const bundled = inside.startsWith('..') || path.isAbsolute(inside) ? undefined : prior.find((p) => p.example === example);
  return bundled && { by: `profile:${bundled.example}`, needed: bundled.needed };
}

/**
 * An app's own earlier result as its first guess, as --from's result would be: it keeps what that
 * run needed and removes the rest at once; when it fails, what the other runs needed (and the
 * app's calls name: `learned`) is left in for one more test, since the app has most likely
 * changed toward what other apps need. It has no core: one run is all it learned from.
 */
export function ownGuess(own: OwnRun, learned: Guess | undefined): Guess {
  return { source: 'learned', own: own.by, ...oneRun(own.needed, own.by, learned), evidence: true };
}

/** The runs withCallEvidence adds: evidence from the app's calls, no finished run. */
const EVIDENCE_RUNS: readonly string[] = ['the --trace run', 'the binaries\' calls'];
const isCallEvidence = (by: string) => by.startsWith('trace: ') || by.startsWith('calls: ');

/**
 * Pure: the guess with the options the app's traced calls need kept too, each with those calls
 * (`trace: shmget, shmat`): what the app did call during its tests is evidence no other run has;
 * and, given `reachable`, the options its binaries' calls can need (`calls: epoll_wait, ...`).
 * Each source is listed among the guess's runs, but the core counts neither it nor what it names
 * (coreOf): the calls are tried after a core that fails (coreWithCalls).
 * No guess: one from that evidence alone.
 */
export function withCallEvidence(guess: Guess | undefined, used: ReadonlyMap<string, readonly string[]>, reachable: ReadonlyMap<string, readonly string[]> = new Map()): Guess | undefined {
  const sources = [
    { run: EVIDENCE_RUNS[0]!, tag: 'trace', options: used, shown: Infinity },
    { run: EVIDENCE_RUNS[1]!, tag: 'calls', options: reachable, shown: 4 },
  ].filter((source) => source.options.size > 0);
  if (sources.length === 0) return guess;
  const keep = new Map<string, readonly string[]>(guess?.keep ?? []);
  for (const { tag, options, shown } of sources) {
    for (const [option, calls] of options) {
      const named = calls.length > shown ? [...calls.slice(0, shown), `${calls.length - shown} more`] : calls;
      keep.set(option, [...(keep.get(option) ?? []), `${tag}: ${named.join(', ')}`]);
    }
  }
  const runs = sources.map((source) => source.run);
  return guess ? { ...guess, keep, runs: [...guess.runs, ...runs] } : { source: 'learned', keep, runs, evidence: true };
}

/**
 * Pure: the candidates in the order a guess predicts they pass when removed: the ones it
 * removes first, then the ones it keeps, fewest runs needing them first. So an option it keeps
 * is tested last, on a config from which the likely removals are already gone, and its failure
 * then stands for the final config too (the closing check finds it in the journal).
 */
export function orderByGuess(candidates: readonly SearchCandidate[], guess: Guess | undefined): SearchCandidate[] {
  if (!guess) return [...candidates];
  const support = (c: SearchCandidate) => guess.keep.get(c.name)?.length ?? 0;
  return candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => support(a.c) - support(b.c) || a.i - b.i)
    .map(({ c }, priority) => ({ ...c, priority }));
}

/**
 * The options more than half the guess's runs needed (an app's own needs are mostly what others
 * share, as Lupine found: a common base and a few app-specific options): tested as a second guess
 * once the first holds, so the options only some apps needed go in one test, not one each.
 * Undefined with fewer than two runs, or when it would keep the same options.
 */
export function coreOf(guess: Guess): Guess | undefined {
  const runs = guess.runs.filter((run) => !EVIDENCE_RUNS.includes(run)).length;
  if (runs < 2) return undefined;
  const keep = new Map([...guess.keep].filter(([, by]) => by.filter((b) => !isCallEvidence(b)).length * 2 > runs));
  return keep.size < guess.keep.size ? { ...guess, keep } : undefined;
}

/**
 * The core with what the app's calls name kept too (`calls: ...`, `trace: ...`): the test after a
 * core that failed. An app needs the base the runs share and some of what it calls: when this
 * holds, only the options it kept are left to test, one at a time. Undefined when the calls name
 * nothing beyond the core, or everything the guess kept.
 */
export function coreWithCalls(guess: Guess): Guess | undefined {
  const core = coreOf(guess);
  if (!core) return undefined;
  const called = [...guess.keep].filter(([, by]) => by.some(isCallEvidence));
  const keep = new Map([...core.keep, ...called]);
  return keep.size > core.keep.size && keep.size < guess.keep.size ? { ...guess, keep } : undefined;
}

/** What the report says of a guess's test. */
export interface GuessTrialRecord {
  /** The candidates it kept (the rest of the candidates, and what they freed, it removed at once). */
  kept: string[];
  /** How many options the one test removed. */
  removed: number;
  /** Whether the config with only the guess's options passed. */
  held: boolean;
  /** The verdict of that test when it failed. */
  reason?: string;
}

/** What the report says of the guess. */
export interface GuessRecord extends GuessTrialRecord {
  source: Guess['source'];
  /** The app's own earlier run it was made of (Guess.own). */
  own?: string;
  /** Why it kept each candidate it kept: the runs that needed it, and the --trace run's calls (`trace: epoll_wait`). */
  keptFor?: Record<string, string[]>;
  /** When it failed and other runs needed some of what it removed: the test with those left in too (`widened`). */
  widened?: GuessTrialRecord & { added: string[] };
  /** When it (and its widening) failed: the test of the guess plus what searching its removals found needed. */
  repaired?: GuessTrialRecord;
  /** Once the guess (or its repair) held: the test of its core (coreOf). */
  core?: GuessTrialRecord;
  /** When the core failed: the core with what the app's calls need kept too. */
  coreWithCalls?: GuessTrialRecord;
}
