// Which options build an object: its own rule, the composite it is part of, the dirs above it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTopList, parseKbuild, X86_64_VARS, type KbuildRule } from './makefile.js';

/** Kbuild rules by directory relative to the tree root ('' = the root). */
export type RulesByDir = ReadonlyMap<string, readonly KbuildRule[]>;

export interface Attribution {
  /**
   * Ways the object gets built, each a list of options that must all be enabled (`[]`: always).
   * Several alternatives when several rules name it (`obj-$(CONFIG_A) += x.o` and `obj-$(CONFIG_B) += x.o`).
   */
  alternatives: string[][];
  /** Set when some step up to the root had no rule naming the object or a dir above it. */
  unresolved?: string;
}

/** Object (path relative to the build dir) -> how it is gated. */
export type ObjectMap = Record<string, Attribution>;

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== '.' && d !== ''; d = path.posix.dirname(d)) out.push(d);
  out.push('');
  return out;
}

function join(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

/** Every way `target` (`a/b.o` or `a/b/`) is built, following composites and dir descents upward. */
function resolve(target: string, rules: RulesByDir, memo: Map<string, Attribution>, visiting: Set<string>): Attribution {
  const cached = memo.get(target);
  if (cached) return cached;
  if (target === '') return { alternatives: [[]] };
  if (visiting.has(target)) return { alternatives: [], unresolved: `cycle at ${target}` };
  visiting.add(target);
  const isDir = target.endsWith('/');
  const bare = isDir ? target.slice(0, -1) : target;
  let result: Attribution | undefined;
  // The closest Makefile naming the target decides (a dir's own Makefile, else one further up).
  for (const dir of ancestors(path.posix.dirname(bare))) {
    const rel = (dir === '' ? bare : bare.slice(dir.length + 1)) + (isDir ? '/' : '');
    const naming = (rules.get(dir) ?? []).filter((r) => r.targets.includes(rel));
    if (naming.length === 0) continue;
    const alternatives: string[][] = [];
    const unresolved: string[] = [];
    for (const rule of naming) {
      const dirGates = () => resolve(dir === '' ? '' : `${dir}/`, rules, memo, visiting);
      let above = isTopList(rule.list) ? dirGates() : resolve(join(dir, `${rule.list}.o`), rules, memo, visiting);
      // `mmu-$(CONFIG_MMU) := memory.o ...` then `obj-y += $(mmu-y)`: no `mmu.o` anywhere, so the
      // list is a helper variable feeding the dir's objects, not a composite.
      if (!isTopList(rule.list) && above.alternatives.length === 0) above = dirGates();
      if (above.unresolved) unresolved.push(above.unresolved);
      for (const alt of above.alternatives) alternatives.push([...new Set([...rule.gates, ...alt])]);
    }
    result = { alternatives: dedupe(alternatives), ...(unresolved.length > 0 && alternatives.length === 0 ? { unresolved: unresolved[0]! } : {}) };
    break;
  }
  visiting.delete(target);
  result ??= { alternatives: [], unresolved: `no Makefile rule names ${target}` };
  memo.set(target, result);
  return result;
}

function dedupe(alternatives: string[][]): string[][] {
  const seen = new Map<string, string[]>();
  for (const alt of alternatives) {
    const sorted = [...alt].sort();
    seen.set(sorted.join(' '), sorted);
  }
  return [...seen.values()];
}

/**
 * How each object is gated. With `enabled`, alternatives needing a disabled option are dropped
 * (the object was built another way); if none is left the unfiltered ones stay.
 */
export function attributeObjects(objects: readonly string[], rules: RulesByDir, enabled?: ReadonlySet<string>): ObjectMap {
  const memo = new Map<string, Attribution>();
  const out: ObjectMap = {};
  for (const object of objects) {
    const found = resolve(object, rules, memo, new Set());
    const live = enabled ? found.alternatives.filter((alt) => alt.every((o) => enabled.has(o))) : found.alternatives;
    out[object] = { ...found, alternatives: live.length > 0 ? live : found.alternatives };
  }
  return out;
}

/** The parts of a composite object named in its dir's Makefile (`virtio_pci-y += a.o b.o`). */
export function compositeParts(object: string, rules: RulesByDir): string[] {
  const dir = path.posix.dirname(object) === '.' ? '' : path.posix.dirname(object);
  const name = path.posix.basename(object, '.o');
  return [...new Set((rules.get(dir) ?? []).filter((r) => r.list === name).flatMap((r) => r.targets.filter((t) => t.endsWith('.o')).map((t) => join(dir, t))))];
}

/** The kbuild file of a dir: `Kbuild` when present, else `Makefile` (as kbuild itself picks). */
async function readKbuild(srcDir: string, dir: string): Promise<string | undefined> {
  for (const name of ['Kbuild', 'Makefile']) {
    const text = await readFile(path.join(srcDir, dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

/**
 * Rules of every dir from the root down to the objects' dirs. The root also gets the top-level
 * lists of the root and arch Makefiles (`libs-y += lib/ arch/x86/lib/`).
 */
export async function loadRules(srcDir: string, objects: readonly string[], vars = X86_64_VARS): Promise<Map<string, KbuildRule[]>> {
  const dirs = new Set<string>();
  for (const object of objects) for (const dir of ancestors(path.posix.dirname(object))) dirs.add(dir);
  const rules = new Map<string, KbuildRule[]>();
  for (const dir of dirs) {
    const text = await readKbuild(srcDir, dir);
    if (text !== undefined) rules.set(dir, parseKbuild(text, vars));
  }
  const arch = vars.SRCARCH ?? 'x86';
  for (const file of ['Makefile', `arch/${arch}/Makefile`]) {
    const text = await readFile(path.join(srcDir, file), 'utf8').catch(() => '');
    const top = parseKbuild(text, vars).filter((r) => ['core', 'libs', 'drivers'].includes(r.list));
    rules.set('', [...(rules.get('') ?? []), ...top.map((r) => ({ ...r, list: 'obj' }))]);
  }
  return rules;
}
