// ELF parsing of real binaries (static BusyBox, curl, the example server, gcc-built files) and synthetic ones.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ET, isElf, parseElf } from '../../src/deps/elf.js';
import { makeElf } from '../fixtures/deps/make-elf.js';
import { buildExampleServer, gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('parseElf on real files', () => {
  it('reads static BusyBox: x86-64 executable, no interpreter, no DT_NEEDED', async () => {
    const elf = parseElf(await readFile('/bin/busybox'));
    expect(elf).toMatchObject({ bits: 64, littleEndian: true, machine: 62, needed: [] });
    expect(elf.interp).toBeUndefined();
    expect([ET.EXEC, ET.DYN]).toContain(elf.type);
  });

  it('reads curl: PIE with the glibc loader and libcurl among DT_NEEDED', async () => {
    const elf = parseElf(await readFile('/usr/bin/curl'));
    expect(elf.type).toBe(ET.DYN);
    expect(elf.interp).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(elf.needed).toEqual(expect.arrayContaining(['libcurl.so.4', 'libz.so.1', 'libc.so.6']));
  });

  it('reads the example server: needs only libc', async () => {
    const elf = parseElf(await readFile(await buildExampleServer()));
    expect(elf.interp).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(elf.needed).toEqual(['libc.so.6']);
  });

  it('reads a library SONAME', async () => {
    const elf = parseElf(await readFile('/lib/x86_64-linux-gnu/libc.so.6'));
    expect(elf.soname).toBe('libc.so.6');
    expect(elf.needed).toContain('ld-linux-x86-64.so.2');
  });

  it('tells DT_RUNPATH (new dtags) from DT_RPATH (old dtags), with $ORIGIN kept verbatim', async () => {
    const runpath = path.join(tmp.dir, 'runpath');
    const rpath = path.join(tmp.dir, 'rpath');
    await gcc(['-o', runpath, 'hello.c', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib:/opt/x'], tmp.dir);
    await gcc(['-o', rpath, 'hello.c', '-Wl,--disable-new-dtags,-rpath,/opt/y'], tmp.dir);
    const a = parseElf(await readFile(runpath));
    const b = parseElf(await readFile(rpath));
    expect(a.runpath).toEqual(['$ORIGIN/../lib', '/opt/x']);
    expect(a.rpath).toBeUndefined();
    expect(b.rpath).toEqual(['/opt/y']);
    expect(b.runpath).toBeUndefined();
  });

  it('rejects a file that is not ELF', async () => {
    const file = path.join(tmp.dir, 'text');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    const bytes = await readFile(file);
    expect(isElf(bytes)).toBe(false);
    expect(() => parseElf(bytes)).toThrow(/not an ELF/);
  });

  it('rejects a truncated ELF', async () => {
    const bytes = (await readFile('/usr/bin/curl')).subarray(0, 40);
    expect(() => parseElf(bytes)).toThrow();
  });
});

describe('parseElf on synthetic files of every class and byte order', () => {
  const cases = [
    { bits: 32, littleEndian: false, machine: 20 },
    { bits: 32, littleEndian: true, machine: 3 },
    { bits: 64, littleEndian: false, machine: 22 },
    { bits: 64, littleEndian: true, machine: 183 },
  ] as const;
  for (const c of cases) {
    it(`ELF${c.bits} ${c.littleEndian ? 'little' : 'big'}-endian`, () => {
      const bytes = makeElf({ ...c, interp: '/lib/ld.so.1', needed: ['liba.so.1', 'libb.so.2'], runpath: '$ORIGIN:/x', rpath: '/y', soname: 'libself.so.3' });
      const elf = parseElf(bytes);
      expect(elf).toMatchObject({
        bits: c.bits, littleEndian: c.littleEndian, machine: c.machine, type: ET.DYN,
        interp: '/lib/ld.so.1', needed: ['liba.so.1', 'libb.so.2'], runpath: ['$ORIGIN', '/x'], rpath: ['/y'], soname: 'libself.so.3', dynamic: true,
      });
    });
  }
});
