// The Kconfig model as the judge of a search: a config passes iff every required option is still =y once the model normalizes it.
import { canonicalDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import type { KconfigModel } from '../kconfig/engine.js';
import type { Profile } from '../profile/types.js';
import type { Compression } from '../packager/compress.js';
import type { GuestNetwork } from '../packager/markers.js';
import type { Verdict } from '../tester/verdict.js';
import { sha256 } from '../util/hash.js';
import { planCandidates } from './candidates.js';
import type { Evaluator, Normalized } from './evaluator.js';
import { stillEnabled } from './fixpoint.js';
import type { Guess } from './guess.js';
import { searchKernel, type KernelSearchResult } from './phases.js';
import type { SearchCandidate } from '../kconfig/candidate.js';

/**
 * What the search asks of an evaluator, answered by the model: `normalize` is the engine's
 * olddefconfig (it agrees with the kernel's), and each distinct normalized config is one "build".
 */
export interface ModelOracle {
  /** Distinct normalized configs judged: the builds a real search would pay for. */
  builds: number;
  evaluations: number;
  normalize(config: DotConfig): Promise<Normalized>;
  /** Pure: whether a normalized config keeps every required option =y. */
  passes(config: DotConfig): boolean;
  evaluate(candidate: Normalized, cmdline?: string, label?: string): Promise<Verdict>;
}

/** A fresh oracle for one search: its caches and counts are its own. */
export function modelOracle(model: KconfigModel, required: Iterable<string>): ModelOracle {
  const needs = [...new Set(required)];
  const normalized = new Map<string, Normalized>();
  const verdicts = new Map<string, Verdict>();
  const oracle: ModelOracle = {
    builds: 0,
    evaluations: 0,
    normalize(config) {
      const key = sha256(canonicalDotConfig(config));
      let known = normalized.get(key);
      if (!known) {
        const resolved = model.resolve(config);
        known = { config: resolved, hash: sha256(canonicalDotConfig(resolved)) };
        normalized.set(key, known);
      }
      return Promise.resolve(known);
    },
    passes(config) {
      return needs.every((name) => config.get(name) === 'y');
    },
    evaluate(candidate, cmdline = '') {
      oracle.evaluations++;
      let verdict = verdicts.get(candidate.hash);
      if (!verdict) {
        oracle.builds++;
        const off = needs.filter((name) => candidate.config.get(name) !== 'y');
        verdict = {
          status: off.length === 0 ? 'pass' : 'fail', reason: off.length === 0 ? 'every required option is on' : `required options off: ${off.join(' ')}`,
          configHash: candidate.hash, cmdline, built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '',
        };
        verdicts.set(candidate.hash, verdict);
      }
      const answer = verdict;
      // Asynchronous, as a build is: parallel strategies see their tests overlap.
      return new Promise((resolve) => setImmediate(() => resolve(answer)));
    },
  };
  return oracle;
}

/** A search of `start`'s candidates, judged by the model, planned and re-planned as minimize does. */
export interface ModelSearchInput {
  model: KconfigModel;
  profile: Profile;
  /** The start config (normalized here by the model). */
  start: DotConfig;
  /** The guest's network, as the run plan has it (present: the profile's network harness is no candidate). */
  network?: GuestNetwork;
  /** The run's initramfs compression (its RD_ option is the harness's, no candidate), as `minimize --compression` resolved it. */
  compression: Compression;
  /** What passing needs: these options =y. */
  required: Iterable<string>;
  /** `--candidates`: the bounded list, in its order. */
  only?: string[];
  /** The first round's candidates in another order (a kernel trace's); default: as planned. */
  candidates?: SearchCandidate[];
  strategy: string;
  monotone?: boolean;
  parallel?: number;
  guess?: Guess;
}

export async function searchWithModel(input: ModelSearchInput): Promise<{ result: KernelSearchResult; oracle: ModelOracle }> {
  const { model, profile, network, compression, only } = input;
  const oracle = modelOracle(model, input.required);
  const start = await oracle.normalize(input.start);
  const plan = planCandidates(start.config, profile, model, { network, compression, only });
  const result = await searchKernel({
    // The search reads builds, normalize and evaluate: all the oracle has of an Evaluator.
    evaluator: oracle as unknown as Evaluator,
    start, cmdline: '', candidates: input.candidates ?? plan.candidates, isNoop: plan.isNoop, strategy: input.strategy,
    parallel: input.parallel ?? 1, monotone: input.monotone, guess: input.guess, emit: () => undefined,
    // As minimize: after each round, the candidates of the config it reached; a bounded list stays bounded.
    replan: (config) => planCandidates(config, profile, model, { network, compression, only: stillEnabled(config, only) }),
  });
  return { result, oracle };
}

/**
 * The builds the classic loop (one-at-a-time, no guess, one slot) needs to find `required` in
 * `start`'s candidates, with the model as judge: what a real run's own needed set would have cost
 * it, for the report's comparison.
 */
export async function oneAtATimeReference(input: Omit<ModelSearchInput, 'strategy' | 'guess' | 'candidates' | 'parallel'>): Promise<number> {
  const { oracle } = await searchWithModel({ ...input, strategy: 'one-at-a-time' });
  return oracle.builds;
}
