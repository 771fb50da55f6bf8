// The ld.so.cache writer: glibc's name order, and files that ldconfig -p and our reader accept.
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLdCache } from '../../src/deps/ldcache.js';
import { compareLibNames, encodeLdCache } from '../../src/deps/ldcache-write.js';
import { tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('compareLibNames', () => {
  it('compares digit runs as numbers and puts digits after other characters', () => {
    expect(compareLibNames('libfoo.so.10', 'libfoo.so.9')).toBeGreaterThan(0);
    expect(compareLibNames('libfoo.so.1', 'libfoo.so.1')).toBe(0);
    expect(compareLibNames('libfoo.so', 'libfoo.so.1')).toBeLessThan(0);
    expect(compareLibNames('lib1', 'liba')).toBeGreaterThan(0);
    expect(compareLibNames('libA', 'libB')).toBeLessThan(0);
  });

  it('agrees with the order ldconfig wrote the host cache in (descending)', async () => {
    const { entries } = parseLdCache(await readFile('/etc/ld.so.cache'));
    for (let i = 1; i < entries.length; i++) {
      expect(compareLibNames((entries[i - 1] as { name: string }).name, (entries[i] as { name: string }).name)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('encodeLdCache', () => {
  const records = [
    { name: 'libz.so.1', path: '/usr/local/lib/libz.so.1', flags: 0x0303 },
    { name: 'libfoo.so.10', path: '/opt/foo/lib/libfoo.so.10', flags: 0x0303 },
    { name: 'libfoo.so.9', path: '/opt/foo/lib/libfoo.so.9', flags: 0x0303 },
    { name: 'libbar.so', path: '/opt/bar/libbar.so', flags: 0x0303 },
  ];

  it('round-trips through our reader in descending order', () => {
    const cache = parseLdCache(encodeLdCache(records));
    expect(cache.entries.map((e) => e.name)).toEqual(['libz.so.1', 'libfoo.so.10', 'libfoo.so.9', 'libbar.so']);
    expect(cache.byName.get('libbar.so')?.[0]).toMatchObject({ path: '/opt/bar/libbar.so', flags: 0x0303, hwcap: 0n });
  });

  it('is read by the real `ldconfig -p -C`', async () => {
    const file = path.join(tmp.dir, 'ld.so.cache');
    await writeFile(file, encodeLdCache(records));
    const { stdout } = await execa('ldconfig', ['-p', '-C', file]);
    expect(stdout).toMatch(/^4 libs found in cache/);
    expect(stdout).toContain('libfoo.so.10 (libc6,x86-64) => /opt/foo/lib/libfoo.so.10');
    expect(stdout).toContain('libbar.so (libc6,x86-64) => /opt/bar/libbar.so');
  });
});
