// A Debian-based image of a packaged server (lighttpd and its Depends closure), built from this host's packages, unpacks and serves.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRun, imageFacts, openImage, readTree, type UnpackedImage } from '../../src/image/index.js';
import { freePort, waitForPort } from '../../src/tester/ports.js';
import { buildDebianImage } from './debian-image.js';

let dir: string;
let image: UnpackedImage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-debian-'));
  const layout = await buildDebianImage(dir, { packages: ['lighttpd'], entrypoint: ['/usr/sbin/lighttpd'], cmd: ['-D', '-f', '/etc/lighttpd/lighttpd.conf'], ports: ['80/tcp'] });
  image = await openImage(layout, { cacheRoot: path.join(dir, 'cache') });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a Debian-based lighttpd image', () => {
  it('has the merged-/usr layout, the dpkg status of its packages, and lighttpd as its default run', async () => {
    const tree = await readTree(image.treeFile);
    expect(tree.get('bin')).toMatchObject({ type: 'symlink', target: 'usr/bin' });
    expect(tree.get('usr/bin/dash')).toMatchObject({ type: 'file' });
    expect(await readFile(path.join(image.rootfs, 'var/lib/dpkg/status'), 'utf8')).toMatch(/^Package: lighttpd$/m);
    const run = defaultRun(image.config.config, await imageFacts(image));
    expect(run).toMatchObject({ argv: ['/usr/sbin/lighttpd', '-D', '-f', '/etc/lighttpd/lighttpd.conf'], port: 80, user: { uid: 0 } });
    expect(defaultRun(image.config.config, await imageFacts(image), { user: 'www-data' }).user).toMatchObject({ uid: 33, gid: 33 });
  });

  it('serves from a chroot of the unpacked tree, with the image\'s own glibc and modules', async () => {
    const port = await freePort();
    // What a container runtime provides: /dev.
    await mkdir(path.join(image.rootfs, 'dev'), { recursive: true });
    await execa('mknod', [path.join(image.rootfs, 'dev/null'), 'c', '1', '3']);
    await mkdir(path.join(image.rootfs, 'srv'), { recursive: true });
    await writeFile(path.join(image.rootfs, 'srv/index.html'), 'from the image\n');
    await writeFile(path.join(image.rootfs, 'etc/test.conf'), `server.document-root = "/srv"\nserver.bind = "127.0.0.1"\nserver.port = ${port}\nindex-file.names = ("index.html")\n`);
    const server = execa('chroot', [image.rootfs, '/usr/sbin/lighttpd', '-D', '-f', '/etc/test.conf'], { reject: false });
    try {
      expect(await waitForPort('127.0.0.1', port, 10_000)).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('from the image\n');
    } finally {
      server.kill();
      await server;
    }
  });
});
