// resolveImageApp: the manifest of a program in an unpacked image, everything looked up and read inside the image, never on the host.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFs } from '../../src/deps/imagefs.js';
import { resolveImageApp, type ImageRoot, type Manifest } from '../../src/deps/index.js';
import { defaultRun, imageFacts, openImage } from '../../src/image/index.js';
import { buildAppLayout, MUSL_LOADER } from '../image/build-images.js';
import { buildGlibcLayout } from './glibc-image.js';

let dir: string;
let musl: ImageRoot & { argv: string[] };
let glibc: ImageRoot;

async function unpack(layout: string, cache: string): Promise<ImageRoot & { argv: string[] }> {
  const image = await openImage(layout, { cacheRoot: cache });
  const facts = await imageFacts(image);
  return { rootfs: image.rootfs, tree: facts.tree, argv: defaultRun(image.config.config, facts).argv };
}

/** Every file comes from the unpacked tree: not one host file. */
function expectAllInside(manifest: Manifest, rootfs: string): void {
  const outside = manifest.entries.filter((e) => e.hostPath !== undefined && !e.hostPath.startsWith(`${rootfs}/`));
  expect(outside).toEqual([]);
  expect(manifest.entries.filter((e) => e.kind === 'file').length).toBeGreaterThan(0);
}

const entry = (m: Manifest, p: string) => m.entries.find((e) => e.guestPath === p);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-deps-image-'));
  musl = await unpack(await buildAppLayout(path.join(dir, 'musl')), path.join(dir, 'cache'));
  glibc = await unpack(await buildGlibcLayout(path.join(dir, 'glibc')), path.join(dir, 'cache'));
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a musl-linked program in an image without glibc', () => {
  it('takes the image\'s musl loader as its libc, and nothing of the host', async () => {
    const manifest = await resolveImageApp(musl, { argv: musl.argv });
    expect(manifest.app).toEqual({ guestPath: '/bin/server', hostPath: path.join(musl.rootfs, 'bin/server') });
    expect(entry(manifest, MUSL_LOADER)).toMatchObject({ kind: 'file', hostPath: path.join(musl.rootfs, MUSL_LOADER), part: 'libraries', reason: 'ELF interpreter (PT_INTERP) of /bin/server' });
    expect(manifest.entries.filter((e) => /libc\.so|ld-linux/.test(e.guestPath))).toEqual([]);
    expect(manifest.entries.some((e) => e.package !== undefined)).toBe(false);
    expectAllInside(manifest, musl.rootfs);
  });

  it('keeps the image\'s owners and modes, setuid cleared unless asked, and reaches the app through an absolute symlink', async () => {
    const options = { include: ['/home/app', '/usr/bin/suid'] };
    const manifest = await resolveImageApp(musl, { argv: ['/usr/bin/hello'] }, options);
    expect(entry(manifest, '/usr/bin/hello')).toMatchObject({ kind: 'symlink', target: '/bin/server' });
    expect(entry(manifest, '/bin/server')).toMatchObject({ kind: 'file', part: 'app' });
    expect(entry(manifest, '/home/app')).toMatchObject({ kind: 'dir', mode: 0o700, uid: 1000, gid: 1000 });
    expect(entry(manifest, '/usr/bin/suid')).toMatchObject({ mode: 0o755, reason: expect.stringMatching(/setuid\/setgid bit dropped/) });
    const kept = await resolveImageApp(musl, { argv: musl.argv }, { ...options, keepSetuid: true });
    expect(entry(kept, '/usr/bin/suid')).toMatchObject({ mode: 0o4755, hostPath: path.join(musl.rootfs, 'usr/bin/suid') });
    const excluded = await resolveImageApp(musl, { argv: musl.argv }, { ...options, exclude: ['/home'] });
    expect(entry(excluded, '/home/app')).toBeUndefined();
  });
});

describe('a glibc program in an image', () => {
  it('finds its library through the image\'s ld.so.cache, behind an absolute symlink resolved in the image', async () => {
    // The image is sound: its program runs in a chroot of the tree.
    expect((await execa('chroot', [glibc.rootfs, '/usr/bin/prog'], { reject: false })).exitCode).toBe(0);
    const manifest = await resolveImageApp(glibc, { argv: ['/usr/bin/prog'] });
    expect(entry(manifest, '/opt/lib/libx.so.1')).toMatchObject({ kind: 'symlink', target: '/srv/libs/libx.so.1.0' });
    expect(entry(manifest, '/srv/libs/libx.so.1.0')).toMatchObject({ kind: 'file', hostPath: path.join(glibc.rootfs, 'srv/libs/libx.so.1.0'), reason: 'DT_NEEDED libx.so.1 of /usr/bin/prog (found via ld.so.cache)' });
    expect(manifest.ldCache).toEqual([expect.objectContaining({ name: 'libx.so.1', path: '/opt/lib/libx.so.1' })]);
    expect(entry(manifest, '/lib64/ld-linux-x86-64.so.2')).toMatchObject({ kind: 'symlink', target: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' });
    expect(entry(manifest, '/lib')).toMatchObject({ kind: 'symlink', target: 'usr/lib' });
    expect(entry(manifest, '/usr/lib/x86_64-linux-gnu/libc.so.6')).toMatchObject({ kind: 'file', hostPath: path.join(glibc.rootfs, 'usr/lib/x86_64-linux-gnu/libc.so.6') });
    expectAllInside(manifest, glibc.rootfs);
  });

  it('runs a shell script entrypoint with the image\'s /bin/sh and its libraries', async () => {
    const manifest = await resolveImageApp(glibc, { argv: ['/usr/bin/hello.sh'] });
    expect(manifest.app.guestPath).toBe('/usr/bin/hello.sh');
    expect(entry(manifest, '/usr/bin/hello.sh')).toMatchObject({ kind: 'file', reason: 'app (script)', part: 'app' });
    expect(entry(manifest, '/bin')).toMatchObject({ kind: 'symlink', target: 'usr/bin' });
    expect(entry(manifest, '/usr/bin/sh')).toMatchObject({ kind: 'symlink', target: 'dash' });
    expect(entry(manifest, '/usr/bin/dash')).toMatchObject({ kind: 'file', hostPath: path.join(glibc.rootfs, 'usr/bin/dash'), reason: 'interpreter of /usr/bin/hello.sh' });
    expect(entry(manifest, '/usr/lib/x86_64-linux-gnu/libc.so.6')).toMatchObject({ kind: 'file' });
    expectAllInside(manifest, glibc.rootfs);
  });

  it('takes a file the program\'s arguments name, as `-f /etc/app.conf` does; not a directory, a relative path or a missing one', async () => {
    const manifest = await resolveImageApp(glibc, { argv: ['/usr/bin/hello.sh', '-f', '/usr/bin/prog', '/usr/bin', 'usr/bin/prog', '/nowhere'] });
    expect(entry(manifest, '/usr/bin/prog')).toMatchObject({ kind: 'file', reason: 'argument /usr/bin/prog of the program' });
    expect(manifest.entries.filter((e) => e.reason.startsWith('argument ')).map((e) => e.guestPath)).toEqual(['/usr/bin/prog']);
  });

  it('refuses a symlink that climbs out of the image root', async () => {
    await expect(resolveImageApp(glibc, { argv: ['/usr/bin/escape'] })).rejects.toMatchObject({ code: 'TINYX_IMAGE_INVALID', message: expect.stringMatching(/\/usr\/bin\/escape -> \.\.\/\.\.\/\.\.\/\.\.\/usr\/bin\/prog/) });
    await expect(resolveImageApp(glibc, { argv: ['/usr/bin/prog'] }, { include: ['/usr/bin/escape'] })).rejects.toMatchObject({ code: 'TINYX_IMAGE_INVALID' });
    // The view's own file paths stop ".." at the root too.
    expect(imageFs(glibc.rootfs, glibc.tree).hostPath('/../../etc/ld.so.conf')).toBe(path.join(glibc.rootfs, 'etc/ld.so.conf'));
  });
});
