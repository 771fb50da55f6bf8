// ld.so.cache parsing against the host's cache and one written by the real ldconfig.
import { execa } from 'execa';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupLdCache, parseLdCache } from '../../src/deps/ldcache.js';
import { gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('parseLdCache', () => {
  it('reads /etc/ld.so.cache with as many entries as `ldconfig -p` reports', async () => {
    const cache = parseLdCache(await readFile('/etc/ld.so.cache'));
    const { stdout } = await execa('ldconfig', ['-p']);
    const count = Number(/(\d+) libs found/.exec(stdout)?.[1]);
    expect(cache.entries.length).toBe(count);
    expect(lookupLdCache(cache, 'libc.so.6')).toContain('/lib/x86_64-linux-gnu/libc.so.6');
    expect(lookupLdCache(cache, 'libcurl.so.4')).toContain('/lib/x86_64-linux-gnu/libcurl.so.4');
    const libc = cache.byName.get('libc.so.6')?.[0];
    expect(libc?.flags).toBe(0x0303); // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
  });

  it('reads a cache that ldconfig writes for a private directory', async () => {
    const libdir = path.join(tmp.dir, 'lib');
    await execa('mkdir', ['-p', libdir]);
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(libdir, 'libfoo.so.1.0'), 'foo.c'], tmp.dir);
    const conf = path.join(tmp.dir, 'ld.so.conf');
    await writeFile(conf, `${libdir}\n`);
    const cacheFile = path.join(tmp.dir, 'ld.so.cache');
    await execa('ldconfig', ['-C', cacheFile, '-f', conf]);
    const cache = parseLdCache(await readFile(cacheFile));
    expect(lookupLdCache(cache, 'libfoo.so.1')).toEqual([path.join(libdir, 'libfoo.so.1')]);
  });

  it('rejects other files', async () => {
    const file = path.join(tmp.dir, 'not-a-cache');
    await copyFile('/bin/busybox', file);
    expect(() => parseLdCache(new Uint8Array(Buffer.from('hello world, this is not a cache at all, sorry')))).toThrow(/glibc-ld.so.cache/);
    const busybox = await readFile(file);
    expect(() => parseLdCache(busybox)).toThrow();
  });
});
