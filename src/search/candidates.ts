// The options a kernel search tries: from the Kconfig engine (with their menu tree), or a given list.
import { TinyxError } from '../errors.js';
import { enabledSymbols, symbolName, type DotConfig } from '../kconfig/dotconfig.js';
import type { KconfigModel } from '../kconfig/engine.js';
import { harnessNeeds, type GuestDisks } from '../profile/harness.js';
import type { Profile } from '../profile/types.js';
import type { Compression } from '../packager/compress.js';
import type { GuestNetwork } from '../packager/markers.js';
import { closeMatches } from '../util/suggest.js';
import type { SearchCandidate } from '../kconfig/candidate.js';

export interface CandidatePlan {
  candidates: SearchCandidate[];
  /** In-process no-op check, when the engine is available. */
  isNoop?: (name: string) => boolean;
}

/** What a search may try besides the start config: the guest's network and the run's compression decide the harness set. */
export interface CandidateScope {
  /** The guest's network; present, it also keeps the profile's network harness (`kernel.harness.network`). */
  network?: GuestNetwork;
  /** The run's initramfs compression: its RD_ option is the harness's (the profile's `RD_<compression>`). */
  compression: Compression;
  /** The guest's disks: a disk root and volumes keep the profile's disk and volume harness lists. */
  disks?: GuestDisks;
  /** `--candidates`: only these, in this order; they may name harness options (to prove them needed). */
  only?: string[];
}

/**
 * With the engine: user-changeable enabled options not forced by a select, not kept by the
 * profile and not needed by the harness, grouped by menu. Without it: every enabled option not
 * kept. `only` narrows either.
 */
export function planCandidates(config: DotConfig, profile: Profile, model: KconfigModel | undefined, scope: CandidateScope): CandidatePlan {
  const { only } = scope;
  const keep = new Set(profile.kernel.keep);
  const harness = new Set(harnessNeeds(profile, scope.network, scope.compression, scope.disks));
  const fromModel = model?.candidates(config, profile.kernel.keep);
  let candidates: SearchCandidate[] = fromModel
    ? fromModel.map((c) => ({ name: c.name, menuPath: c.menuPath, parent: c.parent }))
    : enabledSymbols(config).filter((n) => !keep.has(n)).map((name) => ({ name }));
  if (!only) {
    candidates = candidates.filter((c) => !harness.has(c.name));
  } else {
    const enabled = new Set(enabledSymbols(config));
    const wanted = only.map(symbolName).filter((n) => !keep.has(n));
    const unknown = wanted.filter((n) => !enabled.has(n));
    if (unknown.length > 0) {
      throw new TinyxError('TINYX_USAGE', `--candidates names options that are not enabled in the start config: ${unknown.join(', ')}.`, {
        advice: 'List options the profile\'s start config enables (`tinyx kconfig candidates --config <out>/.work/start.config`).',
      });
    }
    const byName = new Map(candidates.map((c) => [c.name, c]));
    candidates = wanted.map((name) => byName.get(name) ?? { name });
  }
  candidates = candidates.map((c, priority) => ({ ...c, priority }));
  const isNoop = model ? (name: string) => model.disable(config, [name]).changed.length === 0 : undefined;
  return { candidates, isNoop };
}

/**
 * Pure: refuses `--candidates` names (with or without CONFIG_) that are no symbol of the kernel
 * tree, listing close matches; run before any build (whether each is enabled is known only later).
 */
export function checkCandidateNames(names: string[], known: string[], flag = '--candidates'): void {
  const symbols = new Set(known);
  const unknown = [...new Set(names.map(symbolName))].filter((n) => !symbols.has(n));
  if (unknown.length === 0) return;
  const listed = unknown.map((n) => {
    const close = closeMatches(n, known);
    return close.length > 0 ? `${n} (close: ${close.join(', ')})` : n;
  });
  throw new TinyxError('TINYX_USAGE', `${flag} names ${unknown.length === 1 ? 'an option' : 'options'} this kernel tree does not have${flag === '--values' ? ' as an int or hex option' : ''}: ${listed.join('; ')}.`, {
    advice: 'Check the spelling (names as in .config, with or without CONFIG_); `tinyx kconfig explain NAME --config FILE` shows a symbol.',
  });
}
