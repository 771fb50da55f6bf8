// A synthetic pass/fail oracle with a known needed set, counting evaluations like the real caller.
import type { SearchCandidate, StrategyContext, StrategyResult } from '../../src/search/strategy.js';
import { rng } from '../../src/util/rng.js';

export interface FakeModel {
  candidates: SearchCandidate[];
  /** Fails whenever one of these is (effectively) removed. */
  required: string[];
  /** Fails when every option of one group is removed ("A or B needed"). */
  anyOf?: string[][];
  /** [x, y]: removing x fails while y stays; removing both passes (not monotone). */
  needsUnlessGone?: [string, string][];
  /** Share of distinct configs that fail spuriously (decided by a hash, so stable per config). */
  flaky?: number;
}

export interface FakeOptions {
  /** Random delay per evaluation, in ms, drawn from [0, delay). */
  delay?: number;
  seed?: number;
  /** Called before each evaluation starts, with the number of evaluations so far. */
  onEvaluate?: (evaluations: number) => void;
}


function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

export class FakeOracle {
  /** Distinct normalized configs evaluated: the builds the real search would pay for. */
  evaluations = 0;
  /** Every call of `test`, cached or not. */
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Normalized keys in the order their evaluations started. */
  readonly log: string[] = [];
  private readonly cache = new Map<string, Promise<boolean>>();
  private readonly children = new Map<string, string[]>();
  private readonly random: () => number;

  constructor(readonly model: FakeModel, private readonly options: FakeOptions = {}) {
    for (const c of model.candidates) {
      if (c.parent === undefined) continue;
      this.children.set(c.parent, [...(this.children.get(c.parent) ?? []), c.name]);
    }
    this.random = rng(options.seed ?? 1);
    this.cache.set('', Promise.resolve(true)); // the start config passed the caller's sanity check
  }

  /** What the kernel's olddefconfig would turn off: the removed options and all below them. */
  effective(removed: readonly string[]): Set<string> {
    const out = new Set<string>();
    const walk = (n: string) => {
      if (out.has(n)) return;
      out.add(n);
      (this.children.get(n) ?? []).forEach(walk);
    };
    removed.forEach(walk);
    return out;
  }

  /** The true verdict, without flakiness. */
  passes(removed: readonly string[]): boolean {
    const off = this.effective(removed);
    if (this.model.required.some((r) => off.has(r))) return false;
    if ((this.model.anyOf ?? []).some((group) => group.every((g) => off.has(g)))) return false;
    return !(this.model.needsUnlessGone ?? []).some(([x, y]) => off.has(x) && !off.has(y));
  }

  readonly test = (removed: readonly string[]): Promise<boolean> => {
    this.calls++;
    const key = [...this.effective(removed)].sort().join(' ');
    let verdict = this.cache.get(key);
    if (!verdict) {
      this.options.onEvaluate?.(this.evaluations);
      this.evaluations++;
      this.log.push(key);
      verdict = this.evaluate(removed, key);
      this.cache.set(key, verdict);
    }
    return verdict;
  };

  private async evaluate(removed: readonly string[], key: string): Promise<boolean> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.options.delay) {
      const delay = this.random() * this.options.delay;
      await new Promise((resolve) => setTimeout(resolve, delay));
    } else {
      await Promise.resolve();
    }
    this.inFlight--;
    if (this.model.flaky && hash(key) < this.model.flaky) return false;
    return this.passes(removed);
  }

  context(parallel = 1, extra: Partial<StrategyContext> = {}): StrategyContext {
    return { candidates: this.model.candidates, test: this.test, parallel, ...extra };
  }

  /** Kept names that pass when removed alone on top of `result.removed` (empty: 1-minimal). */
  oneMinimalityViolations(result: StrategyResult): string[] {
    return result.kept.filter((k) => this.passes([...result.removed, k]));
  }
}
