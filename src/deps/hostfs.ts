// Walks a host path component by component (like realpath), recording every symlink met on the way.
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

export interface PathLink {
  /** Where the symlink lives, in resolved coordinates (no symlink among its parents). */
  path: string;
  /** The link's text, verbatim (relative targets stay relative). */
  target: string;
}

export interface PathWalk {
  /** `path` with every symlink resolved. */
  realPath: string;
  /** Symlinks met, in order: the guest needs each of them at the same place to see the same tree. */
  links: PathLink[];
}

/**
 * Resolve `start` (absolute) on the host. Returns undefined when it (or a component) does not
 * exist; throws TINYX_SYMLINK_LOOP after MAX_SYMLINKS links.
 */
export async function walkPath(start: string): Promise<PathWalk | undefined> {
  if (!path.isAbsolute(start)) throw new Error(`walkPath needs an absolute path, got ${start}`);
  const links: PathLink[] = [];
  let pending = start.split('/');
  let current = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let info;
    try {
      info = await lstat(next);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    if (info.isSymbolicLink()) {
      hops++;
      if (hops > MAX_SYMLINKS) {
        throw new TinyxError('TINYX_SYMLINK_LOOP', `Too many levels of symbolic links resolving ${start} (stuck at ${next})`, {
          advice: 'Fix the symlink cycle on the host (check with `namei -l PATH`) or point tinyx at the real file.',
        });
      }
      const target = await readlink(next);
      if (!links.some((l) => l.path === next)) links.push({ path: next, target });
      pending = [...target.split('/'), ...pending];
      if (path.isAbsolute(target)) current = '/';
      continue;
    }
    if (pending.some((p) => p !== '' && p !== '.') && !info.isDirectory()) return undefined;
    current = next;
  }
  return { realPath: current, links };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
