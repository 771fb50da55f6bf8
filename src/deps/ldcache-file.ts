// Reads ld.so.cache from disk (the effectful side of ldcache.ts); a missing cache means no cache.
import { readFile } from 'node:fs/promises';
import { parseLdCache, type LdCache } from './ldcache.js';

export async function readLdCache(file: string): Promise<LdCache | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseLdCache(bytes);
}
