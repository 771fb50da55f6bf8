// ld.so.conf parsing, include globs, and the advice for a library ldconfig was never told about.
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { globToRegExp, parseLdSoConf, readLdSoConfDirs } from '../../src/deps/ldconf.js';
import { isTinyxError } from '../../src/errors.js';
import { gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('ld.so.conf', () => {
  it('parses directories, includes, comments and old separators', () => {
    expect(parseLdSoConf('# c\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib\n/a:/b,/c # x\nhwcap 0 nosegneg\n')).toEqual({
      dirs: ['/usr/local/lib', '/a', '/b', '/c'],
      includes: ['/etc/ld.so.conf.d/*.conf'],
    });
    expect(parseLdSoConf('include conf.d/*.conf\n', '/x').includes).toEqual(['/x/conf.d/*.conf']);
    expect(globToRegExp('*.conf').test('libc.conf')).toBe(true);
    expect(globToRegExp('*.conf').test('libc.conf.bak')).toBe(false);
  });

  it('reads the host configuration through its include', async () => {
    expect(await readLdSoConfDirs()).toEqual(expect.arrayContaining(['/usr/local/lib', '/usr/lib/x86_64-linux-gnu']));
  });

  it('says to run ldconfig when a library sits in a configured directory the cache does not list', async () => {
    const lib = path.join(tmp.dir, 'lib');
    await mkdir(path.join(tmp.dir, 'conf.d'), { recursive: true });
    await mkdir(lib);
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(lib, 'libfoo.so.1'), 'foo.c'], tmp.dir);
    await execa('ln', ['-s', 'libfoo.so.1', path.join(lib, 'libfoo.so')]);
    await gcc(['-o', path.join(tmp.dir, 'app'), 'usefoo.c', `-L${lib}`, '-lfoo'], tmp.dir);
    await writeFile(path.join(tmp.dir, 'ld.so.conf'), 'include conf.d/*.conf\n');
    await writeFile(path.join(tmp.dir, 'conf.d/foo.conf'), `${lib}\n`);
    const error = await resolveApp(path.join(tmp.dir, 'app'), { ldCache: path.join(tmp.dir, 'no-cache'), ldSoConf: path.join(tmp.dir, 'ld.so.conf') }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_LIBRARY_NOT_FOUND')).toBe(true);
    expect((error as { advice?: string }).advice).toMatch(/libfoo\.so\.1 exists .* run `ldconfig`/);
  });
});
