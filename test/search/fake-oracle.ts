// A synthetic pass/fail oracle with a known needed set, counting evaluations like the real caller.
import type { StrategyContext, StrategyResult } from '../../src/search/strategy.js';
import type { SearchCandidate } from '../../src/kconfig/candidate.js';
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
  /**
   * `select`s: each listed option stays on while its selector does, however it is set, so it is
   * no candidate; once every selector is off it keeps its own value (on) and becomes one.
   * Options only selected (not in `candidates`) are part of the model all the same.
   */
  selects?: Record<string, string[]>;
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
  private readonly parentOf: ReadonlyMap<string, string | undefined>;
  /** For each selected option, the options that select it. */
  readonly selectors = new Map<string, string[]>();
  /** Every option: each candidate followed by what it selects (first mention wins). */
  readonly names: string[];
  private readonly random: () => number;

  constructor(readonly model: FakeModel, private readonly options: FakeOptions = {}) {
    this.parentOf = new Map(model.candidates.map((c) => [c.name, c.parent]));
    const all = new Set<string>();
    const add = (name: string) => {
      if (all.has(name)) return;
      all.add(name);
      for (const target of model.selects?.[name] ?? []) {
        this.selectors.set(target, [...(this.selectors.get(target) ?? []), name]);
        add(target);
      }
    };
    model.candidates.forEach((c) => add(c.name));
    this.names = [...all];
    this.random = rng(options.seed ?? 1);
    this.cache.set('', Promise.resolve(true)); // the start config passed the caller's sanity check
  }

  /**
   * What the kernel's olddefconfig would turn off: the removed options and all below them, except
   * what an option still on selects.
   */
  effective(removed: readonly string[]): Set<string> {
    const off = new Set(removed);
    return this.resolve((name) => !off.has(name));
  }

  /** The options off once `set` (an option's own value: on or off) is resolved: selects, then parents. */
  resolve(set: (name: string) => boolean): Set<string> {
    const on = new Map<string, boolean>();
    const isOn = (name: string): boolean => {
      let value = on.get(name);
      if (value === undefined) {
        on.set(name, set(name)); // while its parents are resolved: a parent cycle ends here
        const parent = this.parentOf.get(name);
        value = (this.selectors.get(name) ?? []).some(isOn) || (set(name) && (parent === undefined || isOn(parent)));
        on.set(name, value);
      }
      return value;
    };
    return new Set(this.names.filter((n) => !isOn(n)));
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
