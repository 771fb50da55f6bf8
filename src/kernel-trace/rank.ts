// Pure core: which objects ran, and candidate options ordered never-executed first.
import type { SearchCandidate } from '../kconfig/candidate.js';
import type { ObjectMap } from './objects.js';
import { functionAt, type KernelFunction } from './symbols.js';

/**
 * What the trace says about one object of the image: some of its text ran, none did, or code
 * that may be its (a static name several objects define) ran and the answer is not known.
 */
export type ObjectStatus = 'ran' | 'idle' | 'unsure';

export interface Coverage {
  /** Objects with at least one function in the image. */
  objects: Record<string, ObjectStatus>;
  executedFunctions: number;
  totalFunctions: number;
  /** Executed addresses outside every function, or in functions no object defines. */
  unattributed: number;
}

export function coverage(functions: readonly KernelFunction[], addresses: Iterable<number>): Coverage {
  const ran = new Set<KernelFunction>();
  let unattributed = 0;
  for (const address of addresses) {
    const fn = functionAt(functions, address);
    if (fn && fn.objects.length > 0) ran.add(fn);
    else unattributed++;
  }
  const objects: Record<string, ObjectStatus> = {};
  for (const fn of functions) {
    if (fn.objects.length === 1) objects[fn.objects[0]!] ??= 'idle';
  }
  for (const fn of ran) {
    if (fn.objects.length === 1) objects[fn.objects[0]!] = 'ran';
  }
  for (const fn of ran) {
    if (fn.objects.length > 1) for (const o of fn.objects) if (objects[o] !== 'ran') objects[o] = 'unsure';
  }
  return { objects, executedFunctions: ran.size, totalFunctions: functions.length, unattributed };
}

/** The part of a trace ranking needs. */
export interface TraceEvidence {
  objects: Readonly<Record<string, ObjectStatus>>;
}

export interface RankedOption {
  name: string;
  /** true: code it builds ran; false: it builds code in the image and none of it ran; undefined: no evidence. */
  executed: boolean | undefined;
  /** Lower = try removing earlier: never-executed, then unknown, then executed; input order within each. */
  priority: number;
  /** The trace group, usable as a menu path so each group stays together. */
  group: 'not-executed' | 'unknown' | 'executed';
  /** Objects in the image it gates (all alternatives), for reports. */
  objects: string[];
  /** Where the evidence came from: its own objects, those of the options it selects, an executed option under it, or none. */
  evidence: 'objects' | 'selects' | 'children' | 'none';
}

const GROUP_ORDER = { 'not-executed': 0, unknown: 1, executed: 2 } as const;

/**
 * `selects` (option -> enabled options it selects) lends an option that gates no object the
 * objects of what it selects, transitively: removing it may remove them (unless another option
 * selects them too, which only makes the option look less removable than it is).
 */
export function rankCandidates(
  trace: TraceEvidence,
  candidates: readonly string[],
  objectMap: ObjectMap,
  selects: ReadonlyMap<string, readonly string[]> = new Map(),
): RankedOption[] {
  const gated = new Map<string, string[]>();
  for (const [object, attribution] of Object.entries(objectMap)) {
    if (trace.objects[object] === undefined) continue;
    for (const option of new Set(attribution.alternatives.flat())) {
      const list = gated.get(option);
      if (list) list.push(object);
      else gated.set(option, [object]);
    }
  }
  const viaSelects = (name: string): string[] => {
    const seen = new Set<string>([name]);
    const queue = [...(selects.get(name) ?? [])];
    const objects = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const o of gated.get(next) ?? []) objects.add(o);
      queue.push(...(selects.get(next) ?? []));
    }
    return [...objects];
  };
  const ranked = candidates.map((name, index) => {
    const own = gated.get(name) ?? [];
    const objects = own.length > 0 ? own : viaSelects(name);
    const evidence = own.length > 0 ? 'objects' as const : objects.length > 0 ? 'selects' as const : 'none' as const;
    const statuses = new Set(objects.map((o) => trace.objects[o]));
    const executed = statuses.has('ran') ? true : statuses.has('unsure') || objects.length === 0 ? undefined : false;
    const group = executed === undefined ? 'unknown' as const : executed ? 'executed' as const : 'not-executed' as const;
    return { name, executed, group, objects, evidence, index };
  });
  return ranked.map(({ index, ...r }) => ({ ...r, priority: GROUP_ORDER[r.group] * candidates.length + index }));
}

/**
 * An option whose removal takes an executed option along (its `parent` chain, e.g. NETDEVICES
 * above VIRTIO_NET) counts as executed too: removing it removes code that ran.
 */
export function liftToParents(ranked: readonly RankedOption[], parentOf: ReadonlyMap<string, string>): RankedOption[] {
  const lifted = new Set<string>();
  const names = new Set(ranked.map((r) => r.name));
  for (const r of ranked) {
    if (r.executed !== true) continue;
    const seen = new Set([r.name]);
    for (let up = parentOf.get(r.name); up !== undefined && names.has(up) && !seen.has(up); up = parentOf.get(up)) {
      seen.add(up);
      lifted.add(up);
    }
  }
  const n = ranked.length;
  return ranked.map((r, index) => {
    const next = r.executed !== true && lifted.has(r.name)
      ? { ...r, executed: true, group: 'executed' as const, evidence: 'children' as const }
      : r;
    return { ...next, priority: GROUP_ORDER[next.group] * n + index };
  });
}

/**
 * Strategy candidates: trace priority, and the trace group as the outer menu path so each group
 * stays contiguous. A `parent` in another group is dropped: a never-executed option under an
 * executed parent is tried with the never-executed ones, not held back inside its parent's subtree.
 */
export function toCandidates(ranked: readonly RankedOption[], base: ReadonlyMap<string, SearchCandidate> = new Map()): SearchCandidate[] {
  const groupOf = new Map(ranked.map((r) => [r.name, r.group]));
  return ranked.map((r) => {
    const { parent, ...known } = base.get(r.name) ?? { name: r.name };
    const keepParent = parent !== undefined && (groupOf.get(parent) ?? r.group) === r.group;
    return { ...known, ...(keepParent ? { parent } : {}), name: r.name, priority: r.priority, menuPath: [`trace:${r.group}`, ...(known.menuPath ?? [])] };
  });
}

export function summarize(ranked: readonly RankedOption[]): { executed: number; notExecuted: number; unknown: number } {
  return {
    executed: ranked.filter((r) => r.executed === true).length,
    notExecuted: ranked.filter((r) => r.executed === false).length,
    unknown: ranked.filter((r) => r.executed === undefined).length,
  };
}
