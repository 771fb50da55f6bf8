// The syscall map of a tree kept as JSON, valid while the size and mtime of every file it was read from hold.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256 } from '../util/hash.js';
import type { SyscallGate, SyscallMap } from './gate.js';

const FORMAT = 1;

interface Stored {
  format: number;
  /** The tree, for a reader of the file (its name is a hash of it). */
  dir: string;
  /** Files the map was read from, relative to the tree. */
  files: string[];
  identity: string;
  byName: [string, SyscallGate][];
  numbers: [number, string][];
}

/** The cache file of the tree at `dir` (an absolute, resolved path). */
export function cacheFile(cacheDir: string, dir: string): string {
  return path.join(cacheDir, 'syscalls', `${sha256(dir).slice(0, 16)}.json`);
}

/** The size and mtime (ns) of each file, `-` for one that is missing: cheap next to reading the tree. */
export async function filesIdentity(dir: string, files: readonly string[]): Promise<string> {
  const lines = await Promise.all(files.map(async (file) => {
    const info = await stat(path.join(dir, file), { bigint: true }).catch(() => undefined);
    return `${file} ${info ? `${info.size} ${info.mtimeNs}` : '-'}`;
  }));
  return sha256(lines.join('\n'));
}

/** The stored map of `dir`, if there is one and none of its files changed since. */
export async function loadCached(cacheDir: string, dir: string): Promise<SyscallMap | undefined> {
  let stored: Stored;
  try {
    stored = JSON.parse(await readFile(cacheFile(cacheDir, dir), 'utf8')) as Stored;
  } catch {
    return undefined;
  }
  if (stored.format !== FORMAT || stored.identity !== (await filesIdentity(dir, stored.files))) return undefined;
  return { byName: new Map(stored.byName), numbers: new Map(stored.numbers) };
}

/** Stores the map of `dir`, read from `files`, with their identity. */
export async function storeCached(cacheDir: string, dir: string, files: readonly string[], map: SyscallMap): Promise<void> {
  const identity = await filesIdentity(dir, files);
  const stored: Stored = { format: FORMAT, dir, files: [...files], identity, byName: [...map.byName], numbers: [...map.numbers] };
  await writeFileAtomic(cacheFile(cacheDir, dir), `${JSON.stringify(stored)}\n`);
}
