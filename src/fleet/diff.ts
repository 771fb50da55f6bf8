// Pure: what changed between an app's previous result and its new one: options by name (across kernels too), needs, sizes.
import { enabledSymbols, type DotConfig } from '../kconfig/dotconfig.js';
import type { Report } from '../output/report.js';
import { neededOptions } from '../search/knowledge.js';

/** Options (=y or =m) by name, sorted. */
export interface OptionChanges {
  /** Enabled now, not before. */
  added: string[];
  /** Enabled before, not now. */
  removed: string[];
  /** Enabled now, and the previous kernel has no such option (a kernel upgrade brought it). */
  appeared: string[];
  /** Enabled before, and the new kernel has no such option (a kernel upgrade took it away). */
  vanished: string[];
}

/** The option names of each kernel's Kconfig, when known (see symbols.ts); without them nothing counts as appeared or vanished. */
export interface KernelSymbols {
  before?: ReadonlySet<string>;
  now?: ReadonlySet<string>;
}

export function optionChanges(before: DotConfig, now: DotConfig, symbols: KernelSymbols = {}): OptionChanges {
  const was = new Set(enabledSymbols(before));
  const is = new Set(enabledSymbols(now));
  const gained = [...is].filter((n) => !was.has(n)).sort();
  const lost = [...was].filter((n) => !is.has(n)).sort();
  const newInKernel = (n: string) => symbols.before !== undefined && !symbols.before.has(n);
  const goneFromKernel = (n: string) => symbols.now !== undefined && !symbols.now.has(n);
  return {
    added: gained.filter((n) => !newInKernel(n)),
    removed: lost.filter((n) => !goneFromKernel(n)),
    appeared: gained.filter(newInKernel),
    vanished: lost.filter(goneFromKernel),
  };
}

/** What the searches found needed (kept because removing it failed: not forced back on, not kept for growing the config), before and now. */
export interface NeededChanges {
  added: string[];
  removed: string[];
}

export function neededChanges(before: Report, now: Report): NeededChanges {
  const needed = (r: Report) => new Set(neededOptions(r.kept, r.noops, r.keptReasons).map((n) => n.option));
  const [was, is] = [needed(before), needed(now)];
  return { added: [...is].filter((n) => !was.has(n)).sort(), removed: [...was].filter((n) => !is.has(n)).sort() };
}

/** A size now, before, and the change in bytes (null where there is no figure). */
export interface SizeChange {
  bytes: number | null;
  previous: number | null;
  change: number | null;
}

export function sizeChange(now: number | undefined, previous: number | undefined): SizeChange {
  const bytes = now ?? null;
  const before = previous ?? null;
  return { bytes, previous: before, change: bytes !== null && before !== null ? bytes - before : null };
}
