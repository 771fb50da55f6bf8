// callsOfFiles on real binaries: gcc-built fixtures (dynamic and static), Debian's libc.so.6 and the static Go example.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsOfFile } from '../../src/syscalls/call-cache.js';
import { callsOfFiles } from '../../src/syscalls/elf-calls.js';
import { REPO, tempDir } from '../deps/helpers.js';

const LIBC = { path: '/lib/x86_64-linux-gnu/libc.so.6', name: 'libc.so.6' };
const LOADER = { path: '/lib64/ld-linux-x86-64.so.2', name: 'ld-linux-x86-64.so.2' };
const SOURCE = `#include <sys/epoll.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
int main(void) {
  int fd = epoll_create1(0);
#ifdef SHM
  int id = shmget(IPC_PRIVATE, 4096, 0600);
#else
  int id = 0;
#endif
  long parent = syscall(SYS_getppid);
  printf("%d %d %ld %s\\n", fd, id, parent, "/proc/self/status");
  return 0;
}
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let cacheDir: string;
const built = async (name: string, flags: string[]): Promise<{ path: string; name: string }> => {
  await execa('gcc', ['-O2', ...flags, '-o', path.join(tmp.dir, name), path.join(tmp.dir, 'fixture.c')]);
  return { path: path.join(tmp.dir, name), name };
};
const reasons = (evidence: { syscalls: Map<number, string[]> }, n: number): string[] => evidence.syscalls.get(n) ?? [];

beforeAll(async () => {
  tmp = await tempDir('tinyx-syscalls-');
  cacheDir = path.join(tmp.dir, 'cache');
  await writeFile(path.join(tmp.dir, 'fixture.c'), SOURCE);
});
afterAll(async () => tmp.cleanup());

describe('callsOfFiles on a dynamic program', () => {
  it('names the imports of epoll_create1 (291) and shmget (29), and the number passed to syscall() (getppid, 110)', async () => {
    const evidence = await callsOfFiles([await built('fixture', ['-DSHM']), LIBC, LOADER], { cacheDir });
    expect(reasons(evidence, 291)).toContain('fixture imports epoll_create1 (libc.so.6)');
    expect(reasons(evidence, 29)).toContain('fixture imports shmget (libc.so.6)');
    expect(reasons(evidence, 110)).toEqual([expect.stringMatching(/^fixture: syscall at 0x[0-9a-f]+$/)]);
    expect(evidence.procPaths).toContain('/proc/self/status');
    expect(evidence.threads).toBe(false);
    expect(await readdir(cacheDir)).toHaveLength(3);
  }, 120_000);

  it('a file of LARGE_ELF_BYTES or more is not disassembled: what it imports counts as called, its own code is not read', async () => {
    const file = await built('fixture-large', ['-DSHM']);
    const whole = await callsOfFile(file.path);
    expect(Object.keys(whole.code).map(Number)).toContain(110);
    const large = await callsOfFile(file.path, { largeBytes: 1 });
    expect(large.imports).toEqual(expect.arrayContaining(['epoll_create1', 'shmget', 'syscall']));
    expect(large).toMatchObject({ exports: {}, code: {} });
    // Through libc, its imports still reach their syscalls.
    const evidence = await callsOfFiles([file, LIBC, LOADER]);
    expect(reasons(evidence, 29)).toContain('fixture-large imports shmget (libc.so.6)');
  }, 120_000);

  it('a program that does not call shmget has no 29: nothing else it imports reaches it in libc', async () => {
    const evidence = await callsOfFiles([await built('fixture-noshm', []), LIBC, LOADER], { cacheDir });
    expect(reasons(evidence, 291)).toContain('fixture-noshm imports epoll_create1 (libc.so.6)');
    expect(evidence.syscalls.has(29)).toBe(false);
  }, 120_000);

  it('a program importing pthread_create starts threads', async () => {
    await writeFile(path.join(tmp.dir, 'fixture.c'), `${SOURCE}#include <pthread.h>\nvoid *(*keep)(void) = (void *(*)(void))pthread_create;\n`);
    const evidence = await callsOfFiles([await built('fixture-threads', ['-DSHM']), LIBC, LOADER], { cacheDir });
    await writeFile(path.join(tmp.dir, 'fixture.c'), SOURCE);
    expect(evidence.threads).toBe(true);
  }, 120_000);
});

describe('callsOfFiles on static programs', () => {
  it('reads the numbers a static glibc program loads before its syscall instructions', async () => {
    const evidence = await callsOfFiles([await built('fixture-static', ['-DSHM', '-static'])]);
    expect(reasons(evidence, 291)).toEqual([expect.stringMatching(/^fixture-static: syscall at 0x/)]);
    expect(reasons(evidence, 29)).toEqual([expect.stringMatching(/^fixture-static: syscall at 0x/)]);
    expect(reasons(evidence, 110)).toHaveLength(1);
  }, 120_000);

  it('finds the Go runtime\'s futex, epoll and clone in the static Go example, and its threads', async () => {
    await execa('make', ['-s', '-C', path.join(REPO, 'examples/go-http')]);
    const evidence = await callsOfFiles([{ path: path.join(REPO, 'examples/go-http/build/server'), name: 'server' }], { cacheDir });
    expect(evidence.syscalls.has(202)).toBe(true);
    expect(evidence.syscalls.has(281) || evidence.syscalls.has(232)).toBe(true);
    expect(evidence.syscalls.has(56)).toBe(true);
    // Reached only through syscall.Syscall* (the number in %rax of the call): accept4, setsockopt, getsockname.
    expect([288, 54, 51].filter((n) => evidence.syscalls.has(n))).toEqual([288, 54, 51]);
    expect(evidence.threads).toBe(true);
    expect(evidence.procPaths).toContain('/proc/self/auxv');
  }, 120_000);
});

describe('callsOfFile on Debian\'s libc.so.6', () => {
  it('closes each export over its direct calls, and stops at the error paths', async () => {
    const libc = await callsOfFile(LIBC.path, { cacheDir });
    expect(libc.exports.epoll_wait?.syscalls).toEqual(expect.arrayContaining([232]));
    expect(libc.exports.shmget?.syscalls).toContain(29);
    expect(libc.exports.getpid?.syscalls).toEqual([39]);
    expect(libc.exports.getpid?.syscalls).not.toContain(29);
    // Walking into __stack_chk_fail, abort and the like, epoll_wait and write each reached 36-37 syscalls.
    expect(libc.exports.epoll_wait?.syscalls.length).toBeLessThan(5);
    expect(libc.exports.write?.syscalls).toEqual([1, 202]);
  }, 120_000);
});
