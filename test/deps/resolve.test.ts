// resolveApp on real programs: the example server, curl, scripts, $ORIGIN apps and every bad input.
import { execa } from 'execa';
import { chmod, copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp, type Manifest } from '../../src/deps/index.js';
import { isTinyxError, type TinyxErrorCode } from '../../src/errors.js';
import { buildExampleServer, gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

const entry = (m: Manifest, p: string) => m.entries.find((e) => e.guestPath === p);
const files = (m: Manifest) => m.entries.filter((e) => e.kind === 'file').map((e) => e.guestPath);

/** The real paths ldd reports for a program (what the host's loader actually maps). */
async function lddRealPaths(program: string): Promise<string[]> {
  const { stdout } = await execa('ldd', [program]);
  const paths = [...stdout.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
  const { stdout: real } = await execa('realpath', paths);
  return [...new Set(real.split('\n'))].sort();
}

async function expectCode(promise: Promise<unknown>, code: TinyxErrorCode): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isTinyxError(error, code), String(error)).toBe(true);
}

describe('resolveApp', () => {
  it('puts the example server at /app/server with the loader and libc at their real paths, via merged-usr links', async () => {
    const server = await buildExampleServer();
    const m = await resolveApp(server);
    expect(m.app).toEqual({ hostPath: server, guestPath: '/app/server' });
    expect(entry(m, '/app/server')).toMatchObject({ kind: 'file', hostPath: server, reason: 'app' });
    expect(entry(m, '/lib')).toMatchObject({ kind: 'symlink', target: 'usr/lib' });
    expect(entry(m, '/lib64')).toMatchObject({ kind: 'symlink', target: 'usr/lib64' });
    expect(entry(m, '/usr/lib64/ld-linux-x86-64.so.2')).toMatchObject({ kind: 'symlink', target: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' });
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libc.so.6')?.reason).toMatch(/DT_NEEDED libc.so.6 of \/app\/server/);
    expect(files(m).filter((f) => f !== '/app/server').sort()).toEqual(await lddRealPaths(server));
  });

  it('resolves curl and all of libcurl\'s dependencies exactly like the host loader', async () => {
    const m = await resolveApp('/usr/bin/curl');
    expect(m.app.guestPath).toBe('/usr/bin/curl');
    expect(files(m).filter((f) => f !== '/usr/bin/curl').sort()).toEqual(await lddRealPaths('/usr/bin/curl'));
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libcurl.so.4')).toMatchObject({ kind: 'symlink', target: 'libcurl.so.4.8.0' });
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0')?.kind).toBe('file');
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libnghttp2.so.14')?.kind).toBe('symlink');
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libssl.so.3')?.kind).toBe('file');
    // parents come before children and every parent is a directory or a symlink
    const byPath = new Map(m.entries.map((e) => [e.guestPath, e]));
    for (const e of m.entries) {
      const parent = path.posix.dirname(e.guestPath);
      if (parent !== '/') expect(byPath.get(parent)?.kind).toBe('dir');
    }
  });

  it('keeps a $ORIGIN app at its host path with its private library beside it', async () => {
    const root = path.join(tmp.dir, 'origin');
    await mkdir(path.join(root, 'lib'), { recursive: true });
    await mkdir(path.join(root, 'bin'));
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so', '-o', path.join(root, 'lib/libfoo.so'), 'foo.c'], root);
    await gcc(['-o', path.join(root, 'bin/app'), 'usefoo.c', `-L${path.join(root, 'lib')}`, '-lfoo', '-Wl,-rpath,$ORIGIN/../lib'], root);
    const m = await resolveApp(path.join(root, 'bin/app'));
    expect(m.app.guestPath).toBe(path.join(root, 'bin/app'));
    expect(entry(m, path.join(root, 'lib/libfoo.so'))?.reason).toMatch(/DT_NEEDED libfoo.so .*via runpath/);
  });

  it('finds a library through a private ld.so.cache written by ldconfig', async () => {
    const root = path.join(tmp.dir, 'cached');
    await mkdir(path.join(root, 'lib'), { recursive: true });
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(root, 'lib/libfoo.so.1'), 'foo.c'], root);
    await symlink('libfoo.so.1', path.join(root, 'lib/libfoo.so'));
    await gcc(['-o', path.join(root, 'app'), 'usefoo.c', `-L${path.join(root, 'lib')}`, '-lfoo'], root);
    await writeFile(path.join(root, 'ld.so.conf'), `${path.join(root, 'lib')}\n`);
    await execa('ldconfig', ['-C', path.join(root, 'ld.so.cache'), '-f', path.join(root, 'ld.so.conf')]);
    const m = await resolveApp(path.join(root, 'app'), { ldCache: path.join(root, 'ld.so.cache'), guestDir: '/srv' });
    expect(m.app.guestPath).toBe('/srv/app');
    expect(entry(m, path.join(root, 'lib/libfoo.so.1'))?.reason).toMatch(/via ld.so.cache/);
  });

  it('skips a library of the wrong class or machine, as the loader does', async () => {
    const root = path.join(tmp.dir, 'mismatch');
    const { makeElf } = await import('../fixtures/deps/make-elf.js');
    await mkdir(path.join(root, 'wrong'), { recursive: true });
    await mkdir(path.join(root, 'right'));
    await writeFile(path.join(root, 'wrong/libfoo.so'), makeElf({ bits: 32, littleEndian: true, machine: 3, soname: 'libfoo.so' }));
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so', '-o', path.join(root, 'right/libfoo.so'), 'foo.c'], root);
    await gcc(['-o', path.join(root, 'app'), 'usefoo.c', `-L${path.join(root, 'right')}`, '-lfoo', `-Wl,-rpath,${root}/wrong:${root}/right`], root);
    const m = await resolveApp(path.join(root, 'app'));
    expect(entry(m, path.join(root, 'right/libfoo.so'))?.kind).toBe('file');
    expect(entry(m, path.join(root, 'wrong/libfoo.so'))).toBeUndefined();
  });

  it('takes a static program alone, at its own path through the merged-usr /bin link', async () => {
    const m = await resolveApp('/bin/busybox');
    expect(m.app).toEqual({ hostPath: '/bin/busybox', guestPath: '/bin/busybox' });
    expect(m.entries.map((e) => `${e.kind} ${e.guestPath}`)).toEqual(['symlink /bin', 'dir /usr', 'dir /usr/bin', 'file /usr/bin/busybox']);
  });

  it('takes a #! script with its interpreter and the interpreter\'s closure', async () => {
    const script = path.join(tmp.dir, 'run.sh');
    await writeFile(script, '#!/bin/sh -e\necho hi\n');
    await chmod(script, 0o755);
    const m = await resolveApp(script);
    expect(m.app.guestPath).toBe('/app/run.sh');
    expect(entry(m, '/bin')).toMatchObject({ kind: 'symlink', target: 'usr/bin' });
    expect(entry(m, '/usr/bin/sh')).toMatchObject({ kind: 'symlink', target: 'dash' });
    expect(entry(m, '/usr/bin/dash')).toMatchObject({ kind: 'file', reason: 'interpreter of /app/run.sh' });
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libc.so.6')?.kind).toBe('file');
  });

  it('follows `#!/usr/bin/env NAME` to the program env runs', async () => {
    const script = path.join(tmp.dir, 'env.sh');
    await writeFile(script, '#!/usr/bin/env dash\necho hi\n');
    await chmod(script, 0o755);
    const m = await resolveApp(script);
    expect(entry(m, '/usr/bin/env')?.kind).toBe('file');
    expect(entry(m, '/usr/bin/dash')?.kind).toBe('file');
  });
});

describe('resolveApp on bad input', () => {
  it('reports a missing app', async () => {
    await expectCode(resolveApp(path.join(tmp.dir, 'nope')), 'TINYX_APP_NOT_FOUND');
  });

  it('reports an app that is not executable', async () => {
    const file = path.join(tmp.dir, 'noexec');
    await copyFile('/bin/busybox', file);
    await chmod(file, 0o644);
    await expectCode(resolveApp(file), 'TINYX_APP_NOT_EXECUTABLE');
  });

  it('reports a directory', async () => {
    await expectCode(resolveApp(tmp.dir), 'TINYX_APP_NOT_EXECUTABLE');
  });

  it('reports an executable that is neither ELF nor a script', async () => {
    const file = path.join(tmp.dir, 'data');
    await writeFile(file, 'just text\n');
    await chmod(file, 0o755);
    await expectCode(resolveApp(file), 'TINYX_APP_NOT_ELF');
  });

  it('reports a library that cannot be found (libfoo deleted after linking)', async () => {
    const root = path.join(tmp.dir, 'gone');
    await mkdir(root);
    await gcc(['-shared', '-fPIC', '-o', path.join(root, 'libfoo.so'), 'foo.c'], root);
    await gcc(['-o', path.join(root, 'app'), 'usefoo.c', `-L${root}`, '-lfoo'], root);
    await rm(path.join(root, 'libfoo.so'));
    const error = await resolveApp(path.join(root, 'app')).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_LIBRARY_NOT_FOUND')).toBe(true);
    expect(String((error as Error).message)).toMatch(/libfoo\.so needed by \/app\/app/);
  });

  it('reports a symlink loop on the app path', async () => {
    await symlink('loop2', path.join(tmp.dir, 'loop1'));
    await symlink('loop1', path.join(tmp.dir, 'loop2'));
    await expectCode(resolveApp(path.join(tmp.dir, 'loop1')), 'TINYX_SYMLINK_LOOP');
  });

  it('reports a symlink loop on a library path', async () => {
    const root = path.join(tmp.dir, 'libloop');
    await mkdir(root);
    await gcc(['-shared', '-fPIC', '-o', path.join(root, 'libfoo.so'), 'foo.c'], root);
    await gcc(['-o', path.join(root, 'app'), 'usefoo.c', `-L${root}`, '-lfoo', `-Wl,-rpath,${root}`], root);
    await rm(path.join(root, 'libfoo.so'));
    await symlink('libbar.so', path.join(root, 'libfoo.so'));
    await symlink('libfoo.so', path.join(root, 'libbar.so'));
    await expectCode(resolveApp(path.join(root, 'app')), 'TINYX_SYMLINK_LOOP');
  });
});
