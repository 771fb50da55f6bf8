// The rootfs stage: files the tests pass without are left out, ELF files the tests pass without symbols are stripped;
// each test repacks the initramfs and boots it on the start kernel (no build).
import path from 'node:path';
import { isElf, parseElf } from '../deps/elf.js';
import { packPlanned, type PackedArchive, type PlannedArchive } from '../packager/initramfs.js';
import { strippableSections, strippedCopy } from '../packager/strip.js';
import { partsOf } from '../packager/parts.js';
import type { RootfsNode } from '../packager/rootfs.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import { getStrategy } from './strategies/index.js';

/**
 * Why a file the analysis added is never a candidate: the app, what the loader cannot start it
 * without, what the user named, and the Python modules the analysis saw imported when the script's
 * imports ran (the script fails without each, unless its import is guarded; proving that costs about
 * two boots per module, some 25 minutes for py-notes's hundred).
 */
const NEVER_PRUNED = [/^app\b/, /^DT_NEEDED /, /^ELF interpreter/, /^interpreter of /, /^--include /, /^Python module loaded by /];

/** A file left out, or stripped, with what it saved (uncompressed bytes). */
export interface RootfsFile {
  path: string;
  reason: string;
  bytes: number;
  /** Not a candidate: a library nothing left in the archive needs, gone with the files that did. */
  library?: true;
}

export interface StrippedFile {
  path: string;
  bytes: number;
  strippedBytes: number;
}

/** report.json's `rootfs`: what the stage tried, what it left out and stripped, and what that saved. */
export interface RootfsReduction {
  /** Files that were candidates for leaving out (see pruneCandidates). */
  candidates: number;
  /** Candidates --keep-files protected. */
  protectedFiles: string[];
  pruned: RootfsFile[];
  /** Candidates the tests failed without. */
  keptFiles: string[];
  prunedBytes: number;
  /** ELF files with symbol tables or DWARF, stripped when the tests passed with the stripped copy. */
  stripped: StrippedFile[];
  /** ELF files the tests failed with stripped (their symbols are read at run time). */
  notStripped: string[];
  strippedSavedBytes: number;
  /** Boots the stage made (a journaled verdict counts too). */
  evaluations: number;
  /** What the stage did not do, and why (--no-prune, --no-strip). */
  skipped: string[];
  /** The uncompressed archive before and after. */
  uncompressedBytes: { before: number; after: number };
  /** The compressed initramfs before and after (absent when nothing changed: the same file). */
  initramfsBytes?: { before: number; after: number };
}

export interface ReduceInput {
  planned: PlannedArchive;
  /** The app's guest path (never a candidate). */
  appGuestPath: string;
  /** Guest paths or globs (`*`, `**`, `?`) never left out; a directory protects what is under it. */
  keepFiles: readonly string[];
  prune: boolean;
  strip: boolean;
  strategy: string;
  parallel: number;
  signal?: AbortSignal;
  /** Does the start VM pass with this archive? */
  test(packed: PackedArchive, label: string): Promise<boolean>;
  info(message: string): void;
  /** The stripped contents of an ELF file (default: binutils' strip). */
  stripper?: (bytes: Uint8Array) => Promise<Uint8Array>;
}

export interface ReducedRootfs {
  omit: Set<string>;
  replace: Map<string, Uint8Array>;
  report: RootfsReduction;
}

/** Pure: a guest path protected by one of `globs`. */
export function isKept(guestPath: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globRegExp(glob).test(guestPath));
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/\/+$/, '').split(/(\*\*|\*|\?)/).map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}(/.*)?$`);
}

/**
 * Pure: the files that may be left out, each grouped by its directories (so a strategy tries whole
 * trees, a package's plugins or a Python package, at once): every regular file of the archive that
 * is not the app, not part of the init, not in an ELF object's DT_NEEDED closure or its loader, not
 * a script's interpreter, not given with --include, not a Python module seen imported, and not
 * protected by `keepFiles`.
 */
export function pruneCandidates(nodes: readonly RootfsNode[], appGuestPath: string, keepFiles: readonly string[]): { candidates: SearchCandidate[]; protectedFiles: string[] } {
  const candidates: SearchCandidate[] = [];
  const protectedFiles: string[] = [];
  // The init's part by the tree, not only by the plan: with --trace the manifest may bring the very
  // BusyBox /init leads to (the host's, seen run), and the manifest's entry wins.
  const parts = partsOf(nodes);
  for (const [i, node] of nodes.entries()) {
    if (node.kind !== 'file' || node.path === appGuestPath || parts[i] === 'init') continue;
    if (NEVER_PRUNED.some((re) => re.test(node.reason))) continue;
    if (isKept(node.path, keepFiles)) {
      protectedFiles.push(node.path);
      continue;
    }
    candidates.push({ name: node.path, menuPath: path.posix.dirname(node.path).split('/').filter(Boolean), priority: candidates.length });
  }
  return { candidates, protectedFiles };
}

/** Which archive files each ELF file of the archive needs (DT_NEEDED), and which files are there only for that. */
export interface LibraryGraph {
  /** Files the closure added for a DT_NEEDED entry: in the archive while something left in it needs them. */
  libraries: ReadonlySet<string>;
  needs: ReadonlyMap<string, readonly string[]>;
  /** Each symlink's target, resolved against its directory. */
  links: ReadonlyMap<string, string>;
}

/**
 * Pure: the archive's DT_NEEDED graph. A needed name resolves to the file the closure added for it
 * (its reason says "DT_NEEDED NAME of ..."), else to the archive's library of that soname or file
 * name; a name that resolves to nothing is no edge.
 */
export function libraryGraph(planned: PlannedArchive): LibraryGraph {
  const byName = new Map<string, string>();
  const libraries = new Set<string>();
  const elves = new Map<string, string[]>();
  const links = new Map<string, string>();
  planned.nodes.forEach((node, i) => {
    if (node.kind === 'symlink' && node.target) links.set(node.path, path.posix.resolve(path.posix.dirname(node.path), node.target));
    const data = planned.entries[i]!.data;
    if (node.kind !== 'file' || !data || !isElf(data)) return;
    let needed: string[] = [];
    try {
      const elf = parseElf(data);
      needed = elf.needed;
      if (elf.soname && !byName.has(elf.soname)) byName.set(elf.soname, node.path);
    } catch {
      return;
    }
    elves.set(node.path, needed);
    const name = /^DT_NEEDED (\S+) of /.exec(node.reason)?.[1];
    if (name) {
      libraries.add(node.path);
      byName.set(name, node.path);
    }
  });
  for (const p of elves.keys()) if (!byName.has(path.posix.basename(p))) byName.set(path.posix.basename(p), p);
  const needs = new Map([...elves].map(([p, names]) => [p, names.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []))]));
  return { libraries, needs, links };
}

/**
 * Pure: `omit` with what goes along with it: the libraries nothing left in the archive needs (a
 * left-out plugin's own libraries; one the app or a kept file needs stays), and the symlinks to
 * anything left out.
 */
export function withDependents(graph: LibraryGraph, omit: ReadonlySet<string>): Set<string> {
  const needed = new Set<string>();
  const queue = [...graph.needs.keys()].filter((p) => !omit.has(p) && !graph.libraries.has(p));
  for (let p = queue.pop(); p !== undefined; p = queue.pop()) {
    for (const lib of graph.needs.get(p) ?? []) {
      if (needed.has(lib) || omit.has(lib)) continue;
      needed.add(lib);
      queue.push(lib);
    }
  }
  const out = new Set(omit);
  for (const lib of graph.libraries) if (!needed.has(lib)) out.add(lib);
  for (const [link, target] of graph.links) if (out.has(target)) out.add(link);
  return out;
}

export async function reduceRootfs(input: ReduceInput): Promise<ReducedRootfs> {
  const { planned } = input;
  const bytesOf = new Map(planned.nodes.map((n, i) => [n.path, planned.entries[i]!.data?.length ?? 0]));
  const nodeAt = new Map(planned.nodes.map((n) => [n.path, n]));
  const before = packPlanned(planned).archive.length;
  const graph = libraryGraph(planned);
  let evaluations = 0;
  const test = async (omit: Set<string>, replace: Map<string, Uint8Array>, label: string) => {
    evaluations++;
    return input.test(packPlanned(planned, omit, replace), label);
  };
  const skipped: string[] = [];
  let omit = new Set<string>();
  const { candidates, protectedFiles } = pruneCandidates(planned.nodes, input.appGuestPath, input.keepFiles);
  let keptFiles: string[] = [];
  if (!input.prune) skipped.push('prune: --no-prune');
  else if (candidates.length) {
    input.info(`leaving out files: ${candidates.length} candidate${candidates.length === 1 ? '' : 's'} (${sum(candidates.map((c) => bytesOf.get(c.name) ?? 0))} bytes)${protectedFiles.length ? `, ${protectedFiles.length} kept by --keep-files` : ''}`);
    const result = await getStrategy(input.strategy).run({
      candidates, parallel: input.parallel, signal: input.signal,
      test: (removed) => test(withDependents(graph, new Set(removed)), new Map(), `rootfs: -${removed.length} file${removed.length === 1 ? '' : 's'}`),
    });
    omit = withDependents(graph, new Set(result.removed));
    keptFiles = result.kept;
  }

  const replace = new Map<string, Uint8Array>();
  const stripped: StrippedFile[] = [];
  let notStripped: string[] = [];
  if (!input.strip) skipped.push('strip: --no-strip');
  else {
    const copies = new Map<string, Uint8Array>();
    for (const [i, node] of planned.nodes.entries()) {
      const data = planned.entries[i]!.data;
      if (node.kind !== 'file' || omit.has(node.path) || !data || !strippableSections(data)?.length) continue;
      const copy = await (input.stripper ?? strippedCopy)(data);
      if (copy.length < data.length) copies.set(node.path, copy);
    }
    if (copies.size) {
      input.info(`stripping: ${copies.size} ELF file${copies.size === 1 ? '' : 's'} with symbols (${sum([...copies].map(([p, c]) => (bytesOf.get(p) ?? 0) - c.length))} bytes to save)`);
      const result = await getStrategy(input.strategy).run({
        candidates: [...copies.keys()].map((name, priority) => ({ name, priority, menuPath: path.posix.dirname(name).split('/').filter(Boolean) })),
        parallel: input.parallel, signal: input.signal,
        test: (removed) => test(omit, new Map(removed.map((p) => [p, copies.get(p)!])), `strip: ${removed.length} file${removed.length === 1 ? '' : 's'}`),
      });
      for (const p of result.removed) {
        replace.set(p, copies.get(p)!);
        stripped.push({ path: p, bytes: bytesOf.get(p) ?? 0, strippedBytes: copies.get(p)!.length });
      }
      notStripped = result.kept;
    }
  }

  const pruned = [...omit].filter((p) => nodeAt.get(p)?.kind === 'file').map((p) => {
    const reason = nodeAt.get(p)?.reason ?? '';
    const bytes = bytesOf.get(p) ?? 0;
    return graph.libraries.has(p) ? { path: p, reason: `${reason}; needed only by files left out`, bytes, library: true as const } : { path: p, reason, bytes };
  });
  const report: RootfsReduction = {
    candidates: candidates.length, protectedFiles, pruned, keptFiles, prunedBytes: sum(pruned.map((p) => p.bytes)),
    stripped, notStripped, strippedSavedBytes: sum(stripped.map((s) => s.bytes - s.strippedBytes)), evaluations, skipped,
    uncompressedBytes: { before, after: packPlanned(planned, omit, replace).archive.length },
  };
  return { omit, replace, report };
}

/** "N of M candidate files" and the libraries that went with them. */
export function prunedLine(r: RootfsReduction): string {
  const libraries = r.pruned.filter((p) => p.library).length;
  return `${r.pruned.length - libraries} of ${r.candidates} candidate files${libraries ? ` and ${libraries} librar${libraries === 1 ? 'y' : 'ies'} only they needed` : ''}`;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
