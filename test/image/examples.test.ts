// scripts/example-images.mjs: the example images open with tinyx, ask for the run their examples need, run, and a second build reuses them.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRun, imageFacts, inspectImage, lookupPath, openImage } from '../../src/image/index.js';
import { freePort, waitForPort } from '../../src/tester/ports.js';

const repo = path.resolve(__dirname, '../..');
const SCRIPT = path.join(repo, 'scripts/example-images.mjs');
const FILES = ['hello-http.tar', 'hello-http-musl.tar', 'lighttpd-debian.oci.tar'];

let dir: string;
let out: string;
let first: string;

const build = async () => (await execa('node', [SCRIPT, out])).stderr;
const built = (stderr: string) => [...stderr.matchAll(/^example-images: (\S+) built/gm)].map((m) => m[1]);
const mtimes = async () => Promise.all(FILES.flatMap((f) => [f, `${f}.stamp`]).map(async (f) => (await stat(path.join(out, f))).mtimeMs));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-example-images-'));
  out = path.join(dir, 'images');
  first = await build();
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(file: string) {
  const image = await openImage(path.join(out, file), { cacheRoot: path.join(dir, 'cache') });
  const facts = await imageFacts(image);
  return { image, tree: facts.tree, run: defaultRun(image.config.config, facts) };
}

/** The image's server, run in a chroot of its unpacked tree on a free port: its body at /. */
async function serve(rootfs: string, program: string): Promise<string> {
  const port = await freePort();
  const server = execa('chroot', [rootfs, program, String(port)], { reject: false });
  try {
    expect(await waitForPort('127.0.0.1', port, 10_000)).toBe(true);
    return await (await fetch(`http://127.0.0.1:${port}/`)).text();
  } finally {
    server.kill();
    await server;
  }
}

describe('the example images', () => {
  it('are built: hello-http (glibc) and hello-http-musl as docker save archives, lighttpd-debian as an OCI archive', async () => {
    expect(built(first)).toEqual(FILES);
    const formats = await Promise.all(FILES.map(async (f) => {
      const source = await inspectImage(path.join(out, f), { cacheRoot: path.join(dir, 'cache') });
      await source.close();
      return source.format;
    }));
    expect(formats).toEqual(['docker-archive', 'docker-archive', 'oci-archive']);
  });

  it('hello-http runs its server as root on port 80 from /, with the glibc it was linked against', async () => {
    const { image, tree, run } = await open('hello-http.tar');
    expect(image.config.config).toMatchObject({ Entrypoint: ['/app/server'], ExposedPorts: { '80/tcp': {} }, WorkingDir: '/' });
    expect(run).toMatchObject({ argv: ['/app/server'], port: 80, workingDir: '/', user: { uid: 0, gid: 0 } });
    expect(lookupPath(tree, '/lib/x86_64-linux-gnu/libc.so.6')?.entry?.type).toBe('file');
    expect(await serve(image.rootfs, '/app/server')).toBe('hello from tinyx\n');
  });

  it('hello-http-musl holds musl\'s loader and no glibc, and its server runs on it', async () => {
    const { image, tree, run } = await open('hello-http-musl.tar');
    expect(run).toMatchObject({ argv: ['/app/server-musl'], port: 80, workingDir: '/', user: { uid: 0 } });
    expect(lookupPath(tree, '/lib/ld-musl-x86_64.so.1')?.entry?.type).toBe('file');
    expect(tree.list().map(([p]) => p).filter((p) => /(^|\/)(libc\.so\.6|ld-linux[^/]*)$/.test(p))).toEqual([]);
    expect(await serve(image.rootfs, '/app/server-musl')).toBe('hello from tinyx\n');
  });

  it('lighttpd-debian runs Debian\'s lighttpd in the foreground on port 80 with the example\'s config and pages', async () => {
    const { image, tree, run } = await open('lighttpd-debian.oci.tar');
    expect(run).toMatchObject({ argv: ['/usr/sbin/lighttpd', '-D', '-f', '/etc/lighttpd/lighttpd.conf'], port: 80, workingDir: '/', user: { uid: 0 } });
    expect(tree.get('var/lib/dpkg/status')).toMatchObject({ type: 'file' });
    expect(tree.get('var/log/lighttpd')).toMatchObject({ type: 'directory', uid: 33 });
    const config = await readFile(path.join(image.rootfs, 'etc/lighttpd/lighttpd.conf'), 'utf8');
    expect(config).toBe(await readFile(path.join(repo, 'examples/lighttpd/lighttpd.conf'), 'utf8'));
    expect(await readFile(path.join(image.rootfs, 'var/www/html/index.html'), 'utf8')).toMatch(/hello from lighttpd/);
  });

  it('are reused when nothing they are built from changed, and one whose stamp differs is rebuilt alone', async () => {
    const before = await mtimes();
    expect(built(await build())).toEqual([]);
    expect(await mtimes()).toEqual(before);
    await writeFile(path.join(out, 'hello-http-musl.tar.stamp'), 'other\n');
    expect(built(await build())).toEqual(['hello-http-musl.tar']);
  });
});
