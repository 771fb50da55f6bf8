// Finds a path inside an unpacked image by its metadata index, following the image's symlinks as the guest would, never the host's.
import path from 'node:path';
import type { Tree, TreeEntry } from './tree.js';

/** As Linux's MAXSYMLINKS: more links than this on one path is a loop. */
const MAX_HOPS = 40;

export interface Found {
  /** The path with every symlink resolved, relative to the image root ("" for the root). */
  path: string;
  /** Undefined for the root itself. */
  entry?: TreeEntry;
}

/**
 * Pure: what the absolute path `p` names inside the image. Absolute symlink targets start again
 * at the image's root and ".." stops there, as they do for the guest; undefined when any part is
 * missing, or the links loop.
 */
export function lookupPath(tree: Tree, p: string): Found | undefined {
  let rest = p.split('/');
  const at: string[] = [];
  let hops = 0;
  let entry: TreeEntry | undefined;
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      at.pop();
      entry = at.length ? tree.get(at.join('/')) : undefined;
      continue;
    }
    if (at.length > 0 && entry?.type !== 'directory') return undefined;
    const next = tree.get([...at, part].join('/'));
    if (!next) return undefined;
    if (next.type === 'symlink') {
      if (++hops > MAX_HOPS) return undefined;
      if (next.target!.startsWith('/')) at.length = 0;
      entry = at.length ? tree.get(at.join('/')) : undefined;
      rest = [...next.target!.split('/'), ...rest];
      continue;
    }
    at.push(part);
    entry = next;
  }
  return { path: at.join('/'), ...(entry ? { entry } : {}) };
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
