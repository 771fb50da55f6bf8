// The option names of a kernel tree, kept in the cache by tree key: what a later kernel upgrade's summary compares against.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadKconfig } from '../kconfig/engine.js';
import { writeFileAtomic } from '../util/fsx.js';
import { cacheRoot } from '../util/paths.js';

/** `<cache>/kernel-symbols/<tree key>.txt`: one option name a line. */
export function symbolsFile(treeKey: string, cache = cacheRoot()): string {
  return path.join(cache, 'kernel-symbols', `${treeKey.replace(/[^A-Za-z0-9_.-]/g, '_')}.txt`);
}

/** The names recorded for a tree, or undefined when none were. */
export async function readSymbols(treeKey: string, cache?: string): Promise<Set<string> | undefined> {
  const text = await readFile(symbolsFile(treeKey, cache), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : new Set(text.split('\n').filter(Boolean));
}

/**
 * The names of the tree at `srcDir`, read with tinyx's Kconfig engine the first time and from the
 * cache after that; undefined (with a warning) when the engine cannot read the tree.
 */
export async function treeSymbols(treeKey: string, srcDir: string, cache: string | undefined, warn: (message: string) => void): Promise<Set<string> | undefined> {
  const known = await readSymbols(treeKey, cache);
  if (known) return known;
  try {
    const names = (await loadKconfig(srcDir, { arch: 'x86', cacheDir: cache })).symbolNames().sort();
    await writeFileAtomic(symbolsFile(treeKey, cache), names.join('\n') + '\n');
    return new Set(names);
  } catch (error) {
    warn(`the Kconfig engine could not read ${srcDir} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): options new to or gone from this kernel are counted as added or removed`);
    return undefined;
  }
}
