// buildInitramfs end to end on the host: reproducible gzip'd cpio that GNU tools read and whose
// extracted tree runs the app under chroot.
import { execa } from 'execa';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { findBusybox } from '../../src/packager/busybox.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { buildExampleServer, gcc, tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-initramfs-');
});
afterAll(async () => tmp.cleanup());

async function build(name: string) {
  const manifest = await resolveApp(await buildExampleServer());
  return buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, name) });
}

describe('buildInitramfs', () => {
  it('is byte-identical across builds, with a fixed gzip header', async () => {
    const a = await build('a.cpio.gz');
    const b = await build('b.cpio.gz');
    expect(a.sha256).toBe(b.sha256);
    const bytes = await readFile(a.file);
    expect(bytes.equals(await readFile(b.file))).toBe(true);
    expect(a.bytes).toBe(bytes.length);
    // magic, deflate, no flags (no name), mtime 0, xfl 2 (max compression), OS 3 (unix)
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
    const { stdout } = await execa('sh', ['-c', `zcat '${a.file}' | wc -c`]);
    expect(Number(stdout.trim())).toBe(a.uncompressedBytes);
    const { stdout: list } = await execa('sh', ['-c', `zcat '${a.file}' | cpio -it --quiet`]);
    expect(list.split('\n')).toHaveLength(a.entries);
    expect(list.split('\n')).toEqual(expect.arrayContaining(['init', 'bin/busybox', 'app/server', 'dev/console', 'etc/inittab', 'etc/tinyx/rc', 'lib', 'lib64', 'usr/lib/x86_64-linux-gnu/libc.so.6']));
  });

  it('extracts to a tree in which the server runs under chroot and answers', async () => {
    const { file } = await build('c.cpio.gz');
    const root = path.join(tmp.dir, 'root');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    await execa('chroot', [root, '/bin/sh', '-n', '/etc/tinyx/rc']);
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const server = execa('chroot', [root, '/app/server', port], { reject: false });
    try {
      let body = '';
      for (let i = 0; i < 50 && body === ''; i++) {
        const r = await execa('curl', ['-s', '--max-time', '1', `http://127.0.0.1:${port}/`], { reject: false });
        body = r.stdout;
        if (!body) await new Promise((ok) => setTimeout(ok, 100));
      }
      expect(body).toBe('hello from tinyx');
    } finally {
      server.kill();
      await server;
    }
  });

  it('gives the guest an ld.so.cache for a library only the host cache knows, and the app runs with it', async () => {
    const work = path.join(tmp.dir, 'cached');
    const libdir = path.join(work, 'opt/lib');
    await mkdir(libdir, { recursive: true });
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(libdir, 'libfoo.so.1'), 'foo.c'], work);
    await symlink('libfoo.so.1', path.join(libdir, 'libfoo.so'));
    await gcc(['-o', path.join(work, 'usefoo'), 'usefoo.c', `-L${libdir}`, '-lfoo'], work);
    await writeFile(path.join(work, 'ld.so.conf'), `${libdir}\n`);
    await execa('ldconfig', ['-C', path.join(work, 'ld.so.cache'), '-f', path.join(work, 'ld.so.conf')]);
    const manifest = await resolveApp(path.join(work, 'usefoo'), { ldCache: path.join(work, 'ld.so.cache') });
    expect(manifest.ldCache).toEqual([{ name: 'libfoo.so.1', path: path.join(libdir, 'libfoo.so.1'), flags: 0x0303 }]);
    const { file } = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'cached.cpio.gz') });
    const root = path.join(work, 'root');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    expect((await execa('chroot', [root, '/app/usefoo'], { reject: false })).exitCode).toBe(0);
    await rm(path.join(root, 'etc/ld.so.cache'));
    const without = await execa('chroot', [root, '/app/usefoo'], { reject: false });
    expect(without.exitCode).toBe(127);
    expect(without.stderr).toMatch(/libfoo\.so\.1: cannot open shared object file/);
  });

  it('has a userland in which glibc programs resolve users, groups and hosts', async () => {
    const manifest = await resolveApp(await buildExampleServer(), { include: ['/usr/bin/id', '/usr/bin/getent'] });
    const { file } = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'userland.cpio.gz') });
    const root = path.join(tmp.dir, 'userland');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    expect((await execa('chroot', [root, '/usr/bin/id'])).stdout).toBe('uid=0(root) gid=0(root) groups=0(root)');
    expect((await execa('chroot', [root, '/usr/bin/getent', 'hosts', 'tinyx'])).stdout).toMatch(/^127\.0\.1\.1\s+tinyx/);
    expect((await execa('chroot', [root, '/usr/bin/getent', 'passwd', 'nobody'])).stdout).toMatch(/^nobody:x:65534:/);
  });

  it('splits its uncompressed bytes into the app, its libraries, the init and the rest', async () => {
    const server = await buildExampleServer();
    const manifest = await resolveApp(server);
    const result = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'parts.cpio.gz') });
    expect(Object.values(result.parts).reduce((a, b) => a + b, 0)).toBe(result.uncompressedBytes);
    const size = async (file: string) => (await stat(file)).size;
    // The app is its one file (its header and padding aside); the init is BusyBox and its files.
    expect(result.parts.app).toBeGreaterThanOrEqual(await size(server));
    expect(result.parts.app).toBeLessThan((await size(server)) + 512);
    expect(result.parts.init).toBeGreaterThan(await size(await findBusybox()));
    const libc = manifest.entries.find((e) => e.kind === 'file' && e.guestPath.endsWith('/libc.so.6'))!;
    expect(libc.part).toBe('libraries');
    expect(result.parts.libraries).toBeGreaterThan(await size(libc.hostPath!));
  });

  it('refuses a dynamically linked BusyBox replacement', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const error = await buildInitramfs({ manifest, init: { appGuestPath: '/app/server', appArgs: [], network: { guestPort: 80 } }, busybox: '/usr/bin/curl', outFile: path.join(tmp.dir, 'x.gz') }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_BUSYBOX_NOT_FOUND')).toBe(true);
  });
});
