// The search-strategy interface: which candidate sets to try removing, given a pass/fail oracle.
import type { SearchCandidate } from '../kconfig/candidate.js';

export interface StrategyContext {
  candidates: readonly SearchCandidate[];
  /**
   * Does the START configuration with every option in `removed` disabled still pass? The caller
   * normalizes, caches and skips no-ops; it may run several calls at once (up to `parallel`).
   * Rejects only on a fatal error.
   */
  test(removed: readonly string[]): Promise<boolean>;
  /** Upper bound on concurrent `test` calls; 1 = strictly sequential. */
  parallel: number;
  /** When aborted, no new test starts and `run` rejects with TINYX_INTERRUPTED. */
  signal?: AbortSignal;
  /**
   * Trust that removing more never turns a failure into a pass (and that removing a `parent`
   * removes its children). Strategies then skip the closing re-check of kept candidates whose
   * failure was seen on a smaller removed set, saving about one evaluation per kept candidate; the
   * result is 1-minimal only if the trust is deserved. Default false: 1-minimal against the
   * oracle, and a spurious failure gets a second chance.
   */
  monotone?: boolean;
}

/** `removed` and `kept` partition the candidate names; both keep the input order. */
export interface StrategyResult {
  removed: string[];
  kept: string[];
}

export interface Strategy {
  readonly name: string;
  run(ctx: StrategyContext): Promise<StrategyResult>;
}
