// The syscall map read from kernel trees: a fixture tree, the cache, and the known pairs on 6.1 and the newer tree.
import { cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { optionsForSyscalls, readSyscallMap, type SyscallMap } from '../../src/syscalls/index.js';
import { cacheFile } from '../../src/syscalls/cache.js';
import { parseSyscallTable, SYSCALL_TABLE } from '../../src/syscalls/kernel-map.js';
import { KERNEL_TREES } from '../kconfig/realconf.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/tree');

/** name -> [options, optional, site] of the names asked. */
function gates(map: SyscallMap, names: string[]): Record<string, [string[], boolean, string] | undefined> {
  return Object.fromEntries(names.map((n) => {
    const g = map.byName.get(n);
    return [n, g && [g.options, g.optional, g.site]];
  }));
}

describe('readSyscallMap on a fixture tree', () => {
  it('takes the Makefile chain (an #include of a .c file too), the #if blocks and sys_ni.c; drops stubs and files no rule builds', async () => {
    const map = await readSyscallMap(FIXTURE);
    expect(gates(map, ['futex', 'socket', 'membarrier', 'ioperm', 'getpid', 'read', 'brk', 'clock_gettime', 'arch_prctl'])).toEqual({
      futex: [['FUTEX'], true, 'kernel/futex/syscalls.c:1'],
      socket: [['NET'], true, 'net/socket.c:1'],
      membarrier: [['MEMBARRIER'], true, 'kernel/sched/membarrier.c:1'],
      // The -ENOSYS stub in the #else does not build it.
      ioperm: [['X86_IOPL_IOPERM'], true, 'kernel/sys.c:7'],
      getpid: [[], false, 'kernel/sys.c:1'],
      read: [[], false, 'kernel/sys.c:18'],
      // mm/mmap.c under MMU, mm/nommu.c always: either builds it, so it needs what they share.
      brk: [[], false, 'mm/mmap.c:1'],
      // The full one under POSIX_TIMERS, the reduced posix-stubs.c otherwise: the site is the full one.
      clock_gettime: [[], false, 'kernel/time/posix-timers.c:1'],
      arch_prctl: undefined,
    });
  });

  it('numbers the common and 64 rows by the table name, which byName also knows (stat for newstat)', async () => {
    const map = await readSyscallMap(FIXTURE);
    expect([...map.numbers]).toEqual([[0, 'read'], [4, 'stat'], [41, 'socket'], [134, 'uselib'], [202, 'futex']]);
    expect(map.byName.get('stat')).toEqual(map.byName.get('newstat'));
    expect(map.byName.get('stat')?.site).toBe('kernel/sys.c:23');
  });

  it('optionsForSyscalls lists each option with the syscalls needing it, and skips names it does not know', async () => {
    const map = await readSyscallMap(FIXTURE);
    expect([...optionsForSyscalls(map, ['futex', 'socket', 'read', 'futex', 'no_such', 'membarrier'])]).toEqual([
      ['FUTEX', ['futex']], ['NET', ['socket']], ['MEMBARRIER', ['membarrier']],
    ]);
  });
});

describe('the cache', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'tinyx-syscalls-'));
    await cp(FIXTURE, path.join(work, 'tree'), { recursive: true });
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** Rewrites the futex site in the stored map, so a read that returns it came from the cache. */
  async function markCache(tree: string, cache: string): Promise<void> {
    const file = cacheFile(cache, tree);
    await writeFile(file, (await readFile(file, 'utf8')).replace('kernel/futex/syscalls.c:1', 'from-the-cache'));
  }

  it('serves a second read from the cache file, and reads the tree again once one of its files changed', async () => {
    const tree = path.join(work, 'tree');
    const cache = path.join(work, 'cache');
    expect((await readSyscallMap(tree, cache)).byName.get('futex')?.site).toBe('kernel/futex/syscalls.c:1');
    await markCache(tree, cache);
    expect((await readSyscallMap(tree, cache)).byName.get('futex')?.site).toBe('from-the-cache');

    await appendFile(path.join(tree, 'kernel/sys.c'), '\n#ifdef CONFIG_KCMP\nSYSCALL_DEFINE0(kcmp)\n{\n}\n#endif\n');
    const reread = await readSyscallMap(tree, cache);
    expect(reread.byName.get('futex')?.site).toBe('kernel/futex/syscalls.c:1');
    expect(reread.byName.get('kcmp')?.options).toEqual(['KCMP']);
  });

  it('keys the cache by the tree\'s path: a copy elsewhere is read afresh, and each keeps its own', async () => {
    const [tree, copy, cache] = ['tree', 'copy', 'cache'].map((d) => path.join(work, d)) as [string, string, string];
    await readSyscallMap(tree, cache);
    await markCache(tree, cache);
    await cp(tree, copy, { recursive: true, preserveTimestamps: true });
    expect((await readSyscallMap(copy, cache)).byName.get('futex')?.site).toBe('kernel/futex/syscalls.c:1');
    expect((await readSyscallMap(tree, cache)).byName.get('futex')?.site).toBe('from-the-cache');
  });

  it('refuses a dir with no x86_64 syscall table', async () => {
    await expect(readSyscallMap(path.join(work, 'tree', 'kernel'))).rejects.toMatchObject({ code: 'TINYX_KERNEL_SRC_NOT_FOUND' });
  });
});

describe.each(KERNEL_TREES)('readSyscallMap on $version', (tree) => {
  let map: SyscallMap;
  beforeEach(async () => {
    map ??= await readSyscallMap(tree.dir);
  });

  it('gates the known pairs, and leaves always-built syscalls without an option', () => {
    const options = (n: string) => map.byName.get(n)?.options;
    expect(Object.fromEntries(['epoll_create1', 'eventfd2', 'shmget', 'inotify_init1', 'futex', 'setuid', 'read', 'getpid'].map((n) => [n, options(n)]))).toEqual({
      epoll_create1: ['EPOLL'], eventfd2: ['EVENTFD'], shmget: ['SYSVIPC'], inotify_init1: ['INOTIFY_USER'], futex: ['FUTEX'], setuid: ['MULTIUSER'], read: [], getpid: [],
    });
    expect(map.byName.get('epoll_create1')).toMatchObject({ optional: true, site: expect.stringMatching(/^fs\/eventpoll\.c:\d+$/) });
    expect(map.byName.get('read')?.optional).toBe(false);
  });

  it('numbers 232 epoll_wait and 29 shmget, and finds a site for every row with an entry point (6.1\'s lookup_dcookie has only sys_ni.c)', async () => {
    expect([map.numbers.get(232), map.numbers.get(29)]).toEqual(['epoll_wait', 'shmget']);
    const rows = parseSyscallTable(await readFile(path.join(tree.dir, SYSCALL_TABLE), 'utf8'));
    const missing = rows.filter((r) => r.defined !== undefined && !map.byName.has(r.name)).map((r) => r.name);
    expect(missing).toEqual(tree.version === '6.1' ? ['lookup_dcookie'] : []);
  });
});
