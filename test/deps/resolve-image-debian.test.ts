// resolveImageApp on a Debian-based lighttpd image: the closure from the image's tree, packages from the image's own dpkg database.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageApp, type ImageRoot, type Manifest } from '../../src/deps/index.js';
import { defaultRun, imageFacts, openImage } from '../../src/image/index.js';
import { buildDebianImage } from '../image/debian-image.js';

let dir: string;
let image: ImageRoot;
let argv: string[];

const entry = (m: Manifest, p: string) => m.entries.find((e) => e.guestPath === p);
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-deps-debian-'));
  const layout = await buildDebianImage(dir, { packages: ['lighttpd'], entrypoint: ['/usr/sbin/lighttpd'], cmd: ['-D', '-f', '/etc/lighttpd/lighttpd.conf'], ports: ['80/tcp'] });
  const unpacked = await openImage(layout, { cacheRoot: path.join(dir, 'cache') });
  const facts = await imageFacts(unpacked);
  image = { rootfs: unpacked.rootfs, tree: facts.tree };
  argv = defaultRun(unpacked.config.config, facts).argv;
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Debian lighttpd image', () => {
  it('resolves lighttpd, its libraries and its plugins in the image, attributed to the image\'s packages', async () => {
    const manifest = await resolveImageApp(image, { argv });
    expect(manifest.app).toEqual({ guestPath: '/usr/sbin/lighttpd', hostPath: path.join(image.rootfs, 'usr/sbin/lighttpd') });
    expect(entry(manifest, '/usr/sbin/lighttpd')).toMatchObject({ kind: 'file', part: 'app', package: 'lighttpd' });
    expect(entry(manifest, LIBC)).toMatchObject({ kind: 'file', hostPath: path.join(image.rootfs, LIBC.slice(1)), package: 'libc6:amd64' });
    // merged /usr: the loader's path goes through the image's /lib64 and /lib symlinks
    expect(entry(manifest, '/lib64')).toMatchObject({ kind: 'symlink' });
    // a plugin lighttpd dlopens, known only from the image's lighttpd.list
    expect(entry(manifest, '/usr/lib/lighttpd/mod_accesslog.so')).toMatchObject({ kind: 'file', part: 'libraries', package: 'lighttpd' });
    expect(entry(manifest, '/var/log/lighttpd')).toMatchObject({ kind: 'dir', mode: 0o750, uid: 33, gid: 33 });
    expect(manifest.entries.filter((e) => e.hostPath !== undefined && !e.hostPath.startsWith(`${image.rootfs}/`))).toEqual([]);
  });

  it('takes packages from the image\'s status, whatever the host has installed', async () => {
    const status = path.join(image.rootfs, 'var/lib/dpkg/status');
    const original = await readFile(status, 'utf8');
    try {
      await writeFile(status, original.split(/\n\n+/).filter((s) => !/^Package: libc6$/m.test(s)).join('\n\n'));
      const manifest = await resolveImageApp(image, { argv });
      expect(entry(manifest, LIBC)?.package).toBeUndefined();
      expect(entry(manifest, '/usr/sbin/lighttpd')?.package).toBe('lighttpd');
      await expect(resolveImageApp(image, { argv }, { includePackages: ['libc6'] })).rejects.toMatchObject({ code: 'TINYX_PACKAGE_NOT_FOUND' });
    } finally {
      await writeFile(status, original);
    }
  });

  it('takes --include-package from the image\'s file lists', async () => {
    const manifest = await resolveImageApp(image, { argv }, { includePackages: ['dash'] });
    expect(entry(manifest, '/usr/bin/dash')).toMatchObject({ kind: 'file', reason: '--include-package dash', package: 'dash' });
  });
});
