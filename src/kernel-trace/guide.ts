// Trace-guided search input: trace the start kernel in the slot that built it, reorder the candidates.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalDotConfig, enabledSymbols, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import type { KconfigModel } from '../kconfig/engine.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import { liftToParents, rankCandidates, summarize, toCandidates, type RankedOption } from './rank.js';
import { traceStartKernel, type KernelTraceRequest, type KernelTraceResult } from './run.js';
import { selectMap } from './selects.js';

/** The first dir whose .config is `config` and that holds a finished build (System.map). */
export async function buildDirOf(dirs: readonly string[], config: DotConfig): Promise<string | undefined> {
  const want = canonicalDotConfig(config);
  for (const dir of dirs) {
    const text = await readFile(path.join(dir, '.config'), 'utf8').catch(() => undefined);
    const map = await readFile(path.join(dir, 'System.map'), 'utf8').then(() => true, () => false);
    if (text !== undefined && map && canonicalDotConfig(parseDotConfig(text)) === want) return dir;
  }
  return undefined;
}

export interface GuidedCandidates {
  candidates: SearchCandidate[];
  ranked: RankedOption[];
  trace: KernelTraceResult;
  summary: { executed: number; notExecuted: number; unknown: number };
}

/**
 * Traces the start kernel and returns `candidates` reordered: never-executed options first, as
 * one menu group, then unknown, then executed (a parent of an executed option counts as executed).
 * `skipped` (with why) when no slot holds the start kernel's build (its bzImage came from the
 * artifact cache): the caller keeps its order.
 */
export async function traceGuidedCandidates(input: Omit<KernelTraceRequest, 'buildDir' | 'config'> & {
  slotDirs: readonly string[];
  start: DotConfig;
  candidates: readonly SearchCandidate[];
  model?: KconfigModel;
}): Promise<GuidedCandidates | { skipped: string }> {
  const { slotDirs, start, candidates, model, ...request } = input;
  const buildDir = await buildDirOf(slotDirs, start);
  if (!buildDir) return { skipped: 'no build dir holds the start kernel\'s objects (its bzImage came from the cache)' };
  const trace = await traceStartKernel({ ...request, buildDir, config: start });
  return guideCandidates(trace, start, candidates, model);
}

/** `candidates` reordered by what `trace` (of the `start` kernel) saw running. */
export function guideCandidates(trace: KernelTraceResult, start: DotConfig, candidates: readonly SearchCandidate[], model?: KconfigModel): GuidedCandidates {
  const selects = model ? selectMap(model, new Set(enabledSymbols(start))) : new Map<string, string[]>();
  const parents = new Map(candidates.flatMap((c) => (c.parent ? [[c.name, c.parent] as const] : [])));
  const ranked = liftToParents(rankCandidates(trace, candidates.map((c) => c.name), trace.objectMap, selects), parents);
  return {
    candidates: toCandidates(ranked, new Map(candidates.map((c) => [c.name, c]))),
    ranked, trace, summary: summarize(ranked),
  };
}
