// Reads a finished kernel build dir: the objects linked into vmlinux, their symbols, their options.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { exists } from '../util/fsx.js';
import { attributeObjects, compositeParts, loadRules, type ObjectMap, type RulesByDir } from './objects.js';
import { indexSymbols, parseSystemMap, textSymbolsOfNm, type ObjectSymbol, type SymbolIndex } from './symbols.js';

/** Archives vmlinux is linked from (kbuild 6.1: vmlinux.a whole, the lib.a files as needed). */
const ARCHIVES = ['vmlinux.a', 'lib/lib.a', 'arch/x86/lib/lib.a'];

export interface KernelImage {
  /** Objects holding the image's code, build-dir relative; composites replaced by their parts. */
  objects: string[];
  symbols: SymbolIndex;
  objectMap: ObjectMap;
  /** Objects no Makefile rule accounts for, with why. */
  unresolved: Record<string, string>;
}

async function tool(file: string, args: string[], cwd: string): Promise<string> {
  const result = await execa(file, args, { cwd, reject: false, maxBuffer: 512 * 1024 * 1024 });
  if (result.exitCode !== 0) {
    throw new TinyxError('TINYX_INTERNAL', `${file} ${args.slice(0, 3).join(' ')} failed in ${cwd}: ${result.stderr.slice(0, 500)}`, {
      advice: 'The trace needs binutils (ar, nm) and a finished kernel build dir.',
    });
  }
  return result.stdout;
}

/** Members of the thin archives, relative to the build dir (they are stored as absolute paths). */
async function archiveMembers(buildDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const archive of ARCHIVES) {
    if (!(await exists(path.join(buildDir, archive)))) continue;
    const members = (await tool('ar', ['t', archive], buildDir)).split('\n').filter(Boolean);
    for (const member of members) out.push(await relativeMember(buildDir, member));
  }
  return [...new Set(out)];
}

/** A member path as seen from `buildDir`, also when the dir was copied from where it was built. */
async function relativeMember(buildDir: string, member: string): Promise<string> {
  if (!path.isAbsolute(member)) return path.posix.normalize(member);
  if (member.startsWith(`${buildDir}/`)) return member.slice(buildDir.length + 1);
  const parts = member.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(i).join('/');
    if (await exists(path.join(buildDir, rel))) return rel;
  }
  return member;
}

/** Composite objects replaced by their built parts, recursively (their symbols say more). */
async function expandComposites(buildDir: string, objects: readonly string[], rules: RulesByDir): Promise<string[]> {
  const out: string[] = [];
  const visit = async (object: string, depth: number): Promise<void> => {
    const parts = depth < 4 ? compositeParts(object, rules) : [];
    const built = [];
    for (const part of parts) if (part !== object && (await exists(path.join(buildDir, part)))) built.push(part);
    if (built.length === 0) out.push(object);
    else for (const part of built) await visit(part, depth + 1);
  };
  for (const object of objects) await visit(object, 0);
  return [...new Set(out)];
}

/** Defined text symbols of each object, through batched `nm -A`. */
async function textSymbols(buildDir: string, objects: readonly string[]): Promise<Map<string, ObjectSymbol[]>> {
  const out = new Map<string, ObjectSymbol[]>(objects.map((o) => [o, []]));
  for (let i = 0; i < objects.length; i += 200) {
    const batch = objects.slice(i, i + 200);
    const text = await tool('nm', ['--defined-only', '-A', ...batch], buildDir);
    for (const line of text.split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const names = textSymbolsOfNm(line.slice(colon + 1));
      if (names.length > 0) out.get(line.slice(0, colon))?.push(...names);
    }
  }
  return out;
}

/**
 * The image of a finished build: System.map functions pinned to objects, objects to options.
 * `enabled` (the config's =y options) drops rule alternatives the config did not take.
 */
export async function readKernelImage(input: { buildDir: string; srcDir: string; enabled?: ReadonlySet<string> }): Promise<KernelImage> {
  const { buildDir, srcDir } = input;
  const mapFile = path.join(buildDir, 'System.map');
  if (!(await exists(mapFile))) {
    throw new TinyxError('TINYX_INTERNAL', `No System.map in ${buildDir}: the build dir holds no finished kernel.`, {
      advice: 'Trace right after the start config was built in this dir.',
    });
  }
  const linked = await archiveMembers(buildDir);
  const rules = await loadRules(srcDir, linked);
  const objects = await expandComposites(buildDir, linked, rules);
  const allRules = await loadRules(srcDir, objects);
  const symbols = indexSymbols(parseSystemMap(await readFile(mapFile, 'utf8')), await textSymbols(buildDir, objects));
  const objectMap = attributeObjects(objects, allRules, input.enabled);
  const unresolved: Record<string, string> = {};
  for (const [object, a] of Object.entries(objectMap)) if (a.unresolved && a.alternatives.length === 0) unresolved[object] = a.unresolved;
  return { objects, symbols, objectMap, unresolved };
}
