// A strategy's ledger: the removed set, evidence for kept candidates, parallel probes.
import { TinyxError } from '../../errors.js';
import type { StrategyContext, StrategyResult } from '../strategy.js';

/** Evidence that a kept candidate is needed: the size of the removed set it failed on top of. */
const INFERRED = -1;

/** `ctx` with each candidate name once (the first one wins): a repeated boot token is one token. */
export function distinct(ctx: StrategyContext): StrategyContext {
  const seen = new Set<string>();
  const candidates = ctx.candidates.filter((c) => !seen.has(c.name) && seen.add(c.name));
  return candidates.length === ctx.candidates.length ? ctx : { ...ctx, candidates };
}

export class Ledger {
  /** Removed names in the order they were removed; a prefix of it is an earlier removed set. */
  readonly removed: string[] = [];
  private readonly removedSet = new Set<string>();
  private readonly evidence = new Map<string, number>();
  readonly parallel: number;

  constructor(readonly ctx: StrategyContext) {
    this.parallel = Math.max(1, Math.floor(ctx.parallel) || 1);
  }

  isRemoved(name: string): boolean {
    return this.removedSet.has(name);
  }

  remove(names: readonly string[]): void {
    for (const n of names) {
      if (!this.removedSet.has(n)) {
        this.removedSet.add(n);
        this.removed.push(n);
      }
    }
  }

  /** Marks `name` kept: it failed on top of the first `base` removals (INFERRED: never tried alone). */
  keep(name: string, base: number = INFERRED): void {
    this.evidence.set(name, base);
  }

  throwIfAborted(): void {
    const signal = this.ctx.signal;
    if (signal?.aborted) {
      throw new TinyxError('TINYX_INTERRUPTED', 'search interrupted', { cause: signal.reason });
    }
  }

  /** Tries the extra sets on top of the current removed set all at once; rejects after all settle. */
  async tryAll(extras: readonly (readonly string[])[]): Promise<boolean[]> {
    this.throwIfAborted();
    const settled = await Promise.allSettled(extras.map((extra) => this.ctx.test([...this.removed, ...extra])));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    this.throwIfAborted();
    return settled.map((s) => (s as PromiseFulfilledResult<boolean>).value);
  }

  /**
   * Tries each extra set on top of the current removed set, `parallel` at a time, in order, and
   * stops after the first window holding a pass. Returns the lowest passing index (-1: none) and
   * the outcomes seen (undefined = not tried). Timing never changes which sets are tried.
   */
  async firstPass(extras: readonly (readonly string[])[]): Promise<{ winner: number; passed: (boolean | undefined)[] }> {
    const passed: (boolean | undefined)[] = extras.map(() => undefined);
    for (let start = 0; start < extras.length; start += this.parallel) {
      const outcomes = await this.tryAll(extras.slice(start, start + this.parallel));
      outcomes.forEach((p, i) => (passed[start + i] = p));
      const winner = passed.indexOf(true, start);
      if (winner >= 0) return { winner, passed };
    }
    return { winner: -1, passed };
  }

  /** One test of `extra` on top of the removed set. */
  async tryRemove(extra: readonly string[]): Promise<boolean> {
    return (await this.firstPass([extra])).winner === 0;
  }

  /**
   * Makes the result 1-minimal against the oracle: every kept candidate whose failure was not seen
   * on top of the final removed set is tried again, until none passes. Skipped when the caller
   * trusts the oracle to be monotone. Returns the partition in input order.
   */
  async finish(): Promise<StrategyResult> {
    const names = this.ctx.candidates.map((c) => c.name);
    for (const n of names) if (!this.removedSet.has(n) && !this.evidence.has(n)) this.keep(n);
    while (!this.ctx.monotone) {
      const stale = names.filter((n) => !this.removedSet.has(n) && this.evidence.get(n) !== this.removed.length);
      if (stale.length === 0) break;
      const base = this.removed.length;
      const { winner, passed } = await this.firstPass(stale.map((n) => [n]));
      passed.forEach((p, i) => p === false && this.keep(stale[i]!, base));
      if (winner >= 0) this.remove([stale[winner]!]);
    }
    return {
      removed: names.filter((n) => this.removedSet.has(n)),
      kept: names.filter((n) => !this.removedSet.has(n)),
    };
  }
}
