// Finds a path inside an unpacked image by its metadata index, following the image's symlinks as the guest would, never the host's.
import path from 'node:path';
import type { Tree, TreeEntry } from './tree.js';

/** As Linux's MAXSYMLINKS: more links than this on one path is a loop. */
export const MAX_HOPS = 40;

export interface Found {
  /** The path with every symlink resolved, relative to the image root ("" for the root). */
  path: string;
  /** Undefined for the root itself. */
  entry?: TreeEntry;
}

/** A symlink met on the way: where it is (absolute, no symlink among its parents) and its target as written. */
export interface TreeLink {
  path: string;
  target: string;
}

/** Where a walk ended: the absolute path with every symlink resolved, and the symlinks met, in order. */
export type TreeWalk =
  | { kind: 'found'; realPath: string; links: TreeLink[] }
  | { kind: 'missing' }
  /** Over MAX_HOPS symlinks: `at` is where it got stuck. */
  | { kind: 'loop'; at: string }
  /** A ".." at the root: `via`, the last symlink followed, if any. */
  | { kind: 'above'; via?: TreeLink };

/**
 * Pure: the absolute path `start` walked through the image's index, one part at a time. Absolute
 * symlink targets start again at the image's root; a part under something that is no directory is
 * missing. With `stopAtRoot` a ".." at the root stays there, as the kernel does; without, it ends
 * the walk as `above`.
 */
export function walkTree(tree: Tree, start: string, stopAtRoot: boolean): TreeWalk {
  const links: TreeLink[] = [];
  let pending = start.split('/');
  let current = '/';
  let via: TreeLink | undefined;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current === '/' && !stopAtRoot) return { kind: 'above', ...(via ? { via } : {}) };
      current = path.posix.dirname(current);
      continue;
    }
    const next = path.posix.join(current, part);
    const found = tree.get(next.slice(1));
    if (!found) return { kind: 'missing' };
    if (found.type === 'symlink') {
      if (links.length >= MAX_HOPS) return { kind: 'loop', at: next };
      via = { path: next, target: found.target ?? '' };
      links.push(via);
      pending = [...via.target.split('/'), ...pending];
      if (via.target.startsWith('/')) current = '/';
      continue;
    }
    if (pending.some((p) => p !== '' && p !== '.') && found.type !== 'directory') return { kind: 'missing' };
    current = next;
  }
  return { kind: 'found', realPath: current, links };
}

/**
 * Pure: what the absolute path `p` names inside the image, as the guest sees it: ".." stops at the
 * root; undefined when any part is missing, or the links loop.
 */
export function lookupPath(tree: Tree, p: string): Found | undefined {
  const walk = walkTree(tree, p, true);
  if (walk.kind !== 'found') return undefined;
  const rel = walk.realPath.slice(1);
  const entry = rel ? tree.get(rel) : undefined;
  return { path: rel, ...(entry ? { entry } : {}) };
}

/** Whether `p` is a regular file that someone may execute. */
export function isExecutable(tree: Tree, p: string): boolean {
  const found = lookupPath(tree, p);
  return found?.entry?.type === 'file' && (found.entry.mode & 0o111) !== 0;
}

/** `name` as the image's PATH finds it ("python3" -> "/usr/bin/python3"); undefined if no directory of PATH has it. */
export function searchPath(tree: Tree, name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(':')) {
    const candidate = path.posix.resolve('/', dir || '.', name);
    if (isExecutable(tree, candidate)) return candidate;
  }
  return undefined;
}
