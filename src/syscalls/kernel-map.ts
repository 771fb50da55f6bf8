// Reads which kernel options each syscall needs from a kernel tree's own sources (its Makefiles, C files,
// syscall_64.tbl and sys_ni.c), cached per tree.
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { loadCached, storeCached } from './cache.js';
import { stripComments } from './c-sites.js';
import { gatesOf, syscallMap, type SyscallMap, type TableEntry } from './gate.js';
import { readSites } from './sites.js';

export const SYSCALL_TABLE = 'arch/x86/entry/syscalls/syscall_64.tbl';
export const SYS_NI = 'kernel/sys_ni.c';

/** The rows of abi `common` and `64` (x32 rows are left out). */
export function parseSyscallTable(text: string): TableEntry[] {
  const entries: TableEntry[] = [];
  for (const line of text.split('\n')) {
    const [number, abi, name, entry] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!number || !/^\d+$/.test(number) || (abi !== 'common' && abi !== '64') || !name) continue;
    const defined = /^(?:__x64_)?sys_(\w+)$/.exec(entry ?? '')?.[1];
    entries.push({ number: Number(number), name, ...(defined && defined !== 'ni_syscall' ? { defined } : {}) });
  }
  return entries;
}

/** The names in `COND_SYSCALL(name)` lines: syscalls that return ENOSYS when their code is not built. */
export function condSyscalls(text: string): Set<string> {
  return new Set([...stripComments(text).matchAll(/^\s*COND_SYSCALL\s*\(\s*(\w+)\s*\)/gm)].map((m) => m[1]!));
}

/** The map of a tree read afresh, and the files it was read from (relative to the tree). */
async function readTree(dir: string): Promise<{ map: SyscallMap; files: string[] }> {
  const table = await readFile(path.join(dir, SYSCALL_TABLE), 'utf8').catch((cause: unknown) => {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} has no x86_64 syscall table (${SYSCALL_TABLE}).`, {
      advice: 'Pass the top of a Linux source tree (--kernel-src DIR).',
      cause,
    });
  });
  const optional = condSyscalls(await readFile(path.join(dir, SYS_NI), 'utf8').catch(() => ''));
  const { sites, files, rules } = await readSites(dir);
  const kbuild = [...rules.keys()].flatMap((d) => ['Kbuild', 'Makefile'].map((name) => (d === '' ? name : `${d}/${name}`)));
  const map = syscallMap(gatesOf(sites, optional), parseSyscallTable(table));
  return { map, files: [...new Set([...files, ...kbuild, 'arch/x86/Makefile', SYS_NI, SYSCALL_TABLE])].sort() };
}

/** Reads (and caches under cacheDir, keyed by the tree's path + a cheap identity, as JSON) the map of one kernel tree. */
export async function readSyscallMap(srcDir: string, cacheDir?: string): Promise<SyscallMap> {
  const dir = await realpath(srcDir).catch(() => path.resolve(srcDir));
  const cached = cacheDir === undefined ? undefined : await loadCached(cacheDir, dir);
  if (cached) return cached;
  const { map, files } = await readTree(dir);
  if (cacheDir !== undefined) await storeCached(cacheDir, dir, files, map);
  return map;
}
