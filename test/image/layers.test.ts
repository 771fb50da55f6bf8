// Layers applied in order as the OCI image spec's layer.md says: whiteouts, opaque dirs, links, modes, owners, devices; the tree runs.
import { execa } from 'execa';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage, readTree, type Tree, type UnpackedImage } from '../../src/image/index.js';
import { freePort, waitForPort } from '../../src/tester/ports.js';
import { buildAppLayout, craftedLayout, MUSL_LOADER, type Crafted } from './build-images.js';

let dir: string;
let image: UnpackedImage;
let tree: Tree;
let cases = 0;
const onDisk = (p: string) => lstat(path.join(image.rootfs, p)).then(() => true, () => false);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-layers-'));
  image = await openImage(await buildAppLayout(path.join(dir, 'app')), { cacheRoot: path.join(dir, 'cache') });
  tree = await readTree(image.treeFile);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The tree of an image made of `layers` (crafted tars, added by umoci as they are). */
async function unpackCrafted(layers: Crafted[][]): Promise<{ rootfs: string; tree: Tree }> {
  const at = path.join(dir, `crafted-${cases++}`);
  const crafted = await openImage(await craftedLayout(at, layers), { cacheRoot: path.join(at, 'cache') });
  return { rootfs: crafted.rootfs, tree: await readTree(crafted.treeFile) };
}

describe('layers written by umoci', () => {
  it('applies a whiteout of a later layer (the file is gone) and an opaque directory (only its own layer\'s content stays)', async () => {
    expect(await onDisk('etc/remove-me')).toBe(false);
    expect(tree.get('etc/remove-me')).toBeUndefined();
    expect(await readFile(path.join(image.rootfs, 'etc/motd'), 'utf8')).toBe('welcome\n');
    // a: whited out by umoci's second layer; b: hidden by the third layer's opaque marker; c: that layer's own.
    expect((await readdir(path.join(image.rootfs, 'opt/cache'))).sort()).toEqual(['c']);
    expect(tree.children('opt/cache')).toEqual(['opt/cache/c']);
    expect((await readdir(image.rootfs, { recursive: true })).filter((f) => path.basename(f).startsWith('.wh.'))).toEqual([]);
  });

  it('keeps hard links as links and symlinks as written (an absolute target is not resolved on the host)', async () => {
    const [file, hard] = await Promise.all([stat(path.join(image.rootfs, 'bin/server')), stat(path.join(image.rootfs, 'usr/bin/server-hard'))]);
    expect(hard.ino).toBe(file.ino);
    expect(await readlink(path.join(image.rootfs, 'usr/bin/hello'))).toBe('/bin/server');
    expect(tree.get('usr/bin/hello')).toMatchObject({ type: 'symlink', target: '/bin/server' });
    expect(tree.get('usr/bin/server-hard')).toMatchObject({ type: 'file', mode: 0o755 });
  });

  it('records full modes and owners in the index, and leaves the host files without setuid bits', async () => {
    expect(tree.get('usr/bin/suid')).toMatchObject({ type: 'file', mode: 0o4755, uid: 0, gid: 0 });
    expect((await stat(path.join(image.rootfs, 'usr/bin/suid'))).mode & 0o7777).toBe(0o755);
    expect(tree.get('home/app')).toEqual({ type: 'directory', mode: 0o700, uid: 1000, gid: 1000 });
    expect(tree.get('var/tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect((await stat(path.join(image.rootfs, 'home/app'))).uid).toBe(process.getuid!());
  });

  it('keeps device nodes and fifos in the index only', async () => {
    expect(tree.get('dev/null')).toEqual({ type: 'char-device', mode: 0o644, uid: 0, gid: 0, major: 1, minor: 3 });
    expect(tree.get('run/fifo')).toMatchObject({ type: 'fifo' });
    expect(await onDisk('dev/null')).toBe(false);
    expect(await onDisk('run/fifo')).toBe(false);
    expect(await onDisk('dev')).toBe(true);
  });

  it('gives a tree whose musl-linked server (not the host libc) runs in a chroot', async () => {
    expect((await execa('readelf', ['-l', path.join(image.rootfs, 'bin/server')])).stdout).toContain(MUSL_LOADER);
    const port = await freePort();
    const server = execa('chroot', [image.rootfs, '/bin/server', String(port)], { reject: false });
    try {
      expect(await waitForPort('127.0.0.1', port, 10_000)).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from tinyx\n');
    } finally {
      server.kill();
      await server;
    }
  });
});

describe('layers applied in order (crafted)', () => {
  it('a whiteout hides lower layers only, not what its own layer wrote, in either order; one in a missing directory makes none', async () => {
    const { rootfs, tree: t } = await unpackCrafted([
      [{ name: 'keep/x', content: 'x' }, { name: 'keep/y', content: 'lower y' }],
      [{ name: 'keep/.wh.x' }, { name: 'keep/y', content: 'upper y' }, { name: 'keep/.wh.y' }, { name: 'keep/z', content: 'z' }, { name: 'keep/.wh.z' }, { name: 'never/made/.wh.x' }],
    ]);
    expect((await readdir(path.join(rootfs, 'keep'))).sort()).toEqual(['y', 'z']);
    expect(await readFile(path.join(rootfs, 'keep/y'), 'utf8')).toBe('upper y');
    expect(t.get('keep/x')).toBeUndefined();
    expect(t.get('never')).toBeUndefined();
    expect((await readdir(rootfs)).sort()).toEqual(['keep']);
  });

  it('an opaque marker keeps what its own layer wrote in the directory, before or after it', async () => {
    const { rootfs } = await unpackCrafted([
      [{ name: 'd/old', content: 'o' }, { name: 'd/sub/deep', content: 'd' }, { name: 'e/old', content: 'o' }],
      [{ name: 'd/before', content: 'b' }, { name: 'd/.wh..wh..opq' }, { name: 'd/after', content: 'a' }, { name: 'd/sub/', type: 'directory' }],
    ]);
    expect((await readdir(path.join(rootfs, 'd'))).sort()).toEqual(['after', 'before', 'sub']);
    expect(await readdir(path.join(rootfs, 'd/sub'))).toEqual([]);
    expect(await readdir(path.join(rootfs, 'e'))).toEqual(['old']);
  });

  it('replaces a file by a directory and a directory by a file; a directory over a directory changes only its metadata', async () => {
    const { rootfs, tree: t } = await unpackCrafted([
      [{ name: 'p/q', content: 'q' }, { name: 'f', content: 'f' }, { name: 'd/', type: 'directory', mode: 0o755 }, { name: 'd/kept', content: 'k' }],
      [{ name: 'p', content: 'now a file' }, { name: 'f/', type: 'directory', mode: 0o750 }, { name: 'd/', type: 'directory', mode: 0o700, uid: 7, gid: 8 }],
    ]);
    expect(await readFile(path.join(rootfs, 'p'), 'utf8')).toBe('now a file');
    expect(t.get('p/q')).toBeUndefined();
    expect((await lstat(path.join(rootfs, 'f'))).isDirectory()).toBe(true);
    expect(t.get('d')).toEqual({ type: 'directory', mode: 0o700, uid: 7, gid: 8 });
    expect(await readdir(path.join(rootfs, 'd'))).toEqual(['kept']);
  });

  it('makes missing parents root-owned 0755 directories, and links hard links across layers (a device one in the index)', async () => {
    const { rootfs, tree: t } = await unpackCrafted([
      [{ name: 'a/b/c', content: 'c', uid: 5 }, { name: 'dev/tty0', type: 'character-device', devmajor: 4, devminor: 0, mode: 0o620 }],
      [{ name: 'x/hard', type: 'link', linkname: 'a/b/c' }, { name: 'dev/tty0-again', type: 'link', linkname: './dev/tty0' }],
    ]);
    expect(t.get('a/b')).toEqual({ type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    expect((await stat(path.join(rootfs, 'x/hard'))).ino).toBe((await stat(path.join(rootfs, 'a/b/c'))).ino);
    expect(t.get('x/hard')).toMatchObject({ type: 'file', uid: 5 });
    expect(t.get('dev/tty0-again')).toEqual({ type: 'char-device', mode: 0o620, uid: 0, gid: 0, major: 4, minor: 0 });
  });
});
