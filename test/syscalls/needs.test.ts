// What an app's calls need of the kernel: the evidence named by the tree's table, its options, and the report's reachable-but-removed list.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsReport } from '../../src/output/calls-section.js';
import { callsOfFiles } from '../../src/syscalls/elf-calls.js';
import { readSyscallMap, type SyscallMap } from '../../src/syscalls/index.js';
import { appNeeds } from '../../src/syscalls/needs.js';
import { isScriptFile } from '../../src/deps/shebang.js';
import { REPO, tempDir } from '../deps/helpers.js';
import { KERNEL_TREES } from '../kconfig/realconf.js';

const LIBS = [{ path: '/lib/x86_64-linux-gnu/libc.so.6', name: 'libc.so.6' }, { path: '/lib64/ld-linux-x86-64.so.2', name: 'ld-linux-x86-64.so.2' }];
/** A server whose shared memory every run uses, and whose epoll path only `--poll` takes (its tests never pass it). */
const SOURCE = `#include <sys/epoll.h>
#include <sys/shm.h>
#include <string.h>
#include <stdio.h>
int main(int argc, char **argv) {
  int id = shmget(IPC_PRIVATE, 4096, 0600);
  if (argc > 1 && strcmp(argv[1], "--poll") == 0) printf("%d\\n", epoll_create1(0));
  return id < 0;
}
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let map: SyscallMap;
beforeAll(async () => {
  tmp = await tempDir('tinyx-needs-');
  await writeFile(path.join(tmp.dir, 'app.c'), SOURCE);
  await execa('gcc', ['-O2', '-o', path.join(tmp.dir, 'app'), path.join(tmp.dir, 'app.c')]);
  map = await readSyscallMap(KERNEL_TREES[0]!.dir, path.join(tmp.dir, 'cache'));
}, 120_000);
afterAll(async () => tmp.cleanup());

describe('appNeeds', () => {
  it('names the reachable numbers by the table and maps them to options; the trace calls and families are what was used', async () => {
    const evidence = await callsOfFiles([{ path: path.join(tmp.dir, 'app'), name: 'app' }, ...LIBS], { cacheDir: path.join(tmp.dir, 'cache') });
    const needs = appNeeds(evidence, map, { syscalls: ['shmget', 'read'], failedCalls: [], families: ['AF_INET6'] });
    expect(needs.reachable.get('shmget')).toContain('app imports shmget (libc.so.6)');
    expect(needs.reachable.has('epoll_create1')).toBe(true);
    expect(needs.reachableOptions.get('SYSVIPC')).toEqual(['shmget']);
    expect(needs.reachableOptions.get('EPOLL')).toContain('epoll_create1');
    expect(needs.traced).toEqual(['shmget', 'read']);
    expect(Object.fromEntries(needs.usedOptions)).toEqual({ SYSVIPC: ['shmget'], IPV6: ['AF_INET6'] });
    expect(appNeeds(evidence, map).usedOptions.size).toBe(0);
  }, 120_000);

  it('paths under /proc and /sys need their file systems', () => {
    const needs = appNeeds({ syscalls: new Map(), procPaths: ['/proc/self/maps'], sysPaths: [], threads: false }, map);
    expect(Object.fromEntries(needs.reachableOptions)).toEqual({ PROC_FS: ['/proc'] });
  });

  it('a script app needs the kernel\'s script loader: its #! line', async () => {
    const none = { syscalls: new Map(), procPaths: [], sysPaths: [], threads: false };
    expect(Object.fromEntries(appNeeds(none, map, undefined, { script: true }).reachableOptions)).toEqual({ BINFMT_SCRIPT: ['#!'] });
    expect(appNeeds(none, map).reachableOptions.size).toBe(0);
    expect(await isScriptFile(path.join(REPO, 'examples/py-notes/notes.py'))).toBe(true);
    expect(await isScriptFile(path.join(tmp.dir, 'app'))).toBe(false);
    expect(await isScriptFile(path.join(tmp.dir, 'missing'))).toBe(false);
  });
});

describe('callsReport', () => {
  it('lists a removed option whose calls the binary can reach and the tests never made: the path the tests do not cover', async () => {
    const evidence = await callsOfFiles([{ path: path.join(tmp.dir, 'app'), name: 'app' }, ...LIBS], { cacheDir: path.join(tmp.dir, 'cache') });
    const needs = appNeeds(evidence, map, { syscalls: ['shmget'], failedCalls: [], families: [] });
    const report = callsReport({ ...needs, startAdded: ['SYSVIPC'], removed: ['EPOLL', 'SIGNALFD'], keepReachable: false });
    expect(report.startAdded).toEqual([{ option: 'SYSVIPC', calls: ['shmget'] }]);
    expect(report.reachableRemoved).toEqual([{ option: 'EPOLL', calls: expect.arrayContaining(['epoll_create1']), traced: false }]);
    expect(report.reachable).toBe(needs.reachable.size);
    expect(report.traced).toBe(1);
  }, 120_000);
});
