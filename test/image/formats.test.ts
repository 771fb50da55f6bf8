// Every common image format and layer compression, as real tools write them, unpacks to the same tree; "-" reads one from stdin.
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage, readTree } from '../../src/image/index.js';
import { buildAppLayout, buildMultiPlatform, craftedLayout, exportImage, type Exported } from './build-images.js';

let dir: string;
let layout: string;
let exported: Exported;
let multi: string;
let cache = 0;
const freshCache = () => path.join(dir, `cache-${cache++}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-formats-'));
  layout = await buildAppLayout(path.join(dir, 'app'));
  exported = await exportImage(layout, 'app', dir);
  multi = await buildMultiPlatform(path.join(dir, 'multi'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openImage formats', () => {
  it('unpacks a docker-save archive, OCI archives (gzip, zstd) and OCI layouts (gzip, plain) to the same tree', async () => {
    const cases = [
      { ref: layout, format: 'oci-layout', compression: 'gzip' },
      { ref: exported.docker, format: 'docker-archive', compression: 'none' },
      { ref: exported.ociGzip, format: 'oci-archive', compression: 'gzip' },
      { ref: exported.ociZstd, format: 'oci-archive', compression: 'zstd' },
      { ref: exported.ociPlain, format: 'oci-layout', compression: 'none' },
    ];
    const trees: unknown[] = [];
    for (const c of cases) {
      const image = await openImage(c.ref, { cacheRoot: freshCache(), tag: c.format === 'docker-archive' ? undefined : 'app' });
      expect(image, c.ref).toMatchObject({ format: c.format, platform: 'linux/amd64', cached: false });
      expect(await readFile(path.join(image.rootfs, 'etc/motd'), 'utf8')).toBe('welcome\n');
      expect(image.sizes.unpacked).toBeGreaterThan(700_000);
      trees.push((await readTree(image.treeFile)).list());
    }
    for (const tree of trees.slice(1)) expect(tree).toEqual(trees[0]);
    // The blobs as stored: zstd and gzip layers are smaller than the plain tars, which are larger than what they unpack to.
    const [gzip, plain, zstd] = await Promise.all([exported.ociGzip, exported.docker, exported.ociZstd].map((ref) => openImage(ref, { cacheRoot: freshCache() })));
    expect(gzip!.sizes.layers).toBeLessThan(plain!.sizes.layers);
    expect(zstd!.sizes.layers).toBeLessThan(plain!.sizes.layers);
    expect(plain!.sizes.layers).toBeGreaterThan(plain!.sizes.unpacked);
  });

  it('refuses zstd layers, saying what to install, where the zstd program is missing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-such-dir');
    try {
      await expect(openImage(exported.ociZstd, { cacheRoot: freshCache() })).rejects.toMatchObject({ code: 'TINYX_COMPRESSOR_NOT_FOUND', advice: 'Install it: apt-get install zstd' });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('shares one cached tree between compressions of the same image (keyed by config digest)', async () => {
    const cacheRoot = freshCache();
    const first = await openImage(exported.ociGzip, { cacheRoot });
    const second = await openImage(exported.ociZstd, { cacheRoot });
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, dir: first.dir, configDigest: first.configDigest });
    expect(second.sizes.layers).not.toBe(first.sizes.layers);
    expect(await readdir(path.join(cacheRoot, 'images'))).toEqual([path.basename(first.dir)]);
  });

  it('reads an archive on standard input ("-"), spooled under the cache and removed after', async () => {
    const cacheRoot = freshCache();
    const image = await openImage('-', { cacheRoot, stdin: createReadStream(exported.docker) });
    expect(image).toMatchObject({ format: 'docker-archive', cached: false });
    expect(await readFile(path.join(image.rootfs, 'srv/www/index.html'), 'utf8')).toBe('hello\n');
    expect(await readdir(path.join(cacheRoot, 'images', 'incoming'))).toEqual([]);
  });

  it('reads a docker archive whose manifest names the legacy <id>/layer.tar symlinks', async () => {
    const unpacked = path.join(dir, 'legacy');
    await cp(exported.docker, `${unpacked}.src.tar`);
    await execa('mkdir', ['-p', unpacked]);
    await execa('tar', ['-xf', `${unpacked}.src.tar`, '-C', unpacked]);
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const links = (await readdir(unpacked, { recursive: true })).filter((f) => f.endsWith('/layer.tar'));
    const byTarget = new Map<string, string>();
    for (const l of links) byTarget.set(path.basename((await execa('readlink', [path.join(unpacked, l)])).stdout), l);
    manifest[0]!.Layers = manifest[0]!.Layers.map((l) => byTarget.get(l)!);
    expect(manifest[0]!.Layers.every((l) => l.endsWith('/layer.tar'))).toBe(true);
    await execa('sh', ['-c', `printf '%s' '${JSON.stringify(manifest)}' > manifest.json && tar -cf ../legacy.tar .`], { cwd: unpacked });
    for (const ref of [path.join(dir, 'legacy.tar'), unpacked]) {
      const image = await openImage(ref, { cacheRoot: freshCache() });
      expect(image.format).toBe('docker-archive');
      expect(await readFile(path.join(image.rootfs, 'etc/motd'), 'utf8')).toBe('welcome\n');
    }
  });
});

describe('openImage platforms and tags', () => {
  it('takes linux/amd64 from a multi-platform index by default, another architecture when named, and says so', async () => {
    const amd = await openImage(multi, { cacheRoot: freshCache() });
    expect(await readFile(path.join(amd.rootfs, 'arch'), 'utf8')).toBe('amd64\n');
    expect(amd.platform).toBe('linux/amd64');
    expect(amd.notes.join('\n')).toContain('linux/amd64, linux/arm64: took linux/amd64');
    for (const arch of ['arm64', 'aarch64']) {
      const arm = await openImage(multi, { cacheRoot: freshCache(), arch });
      expect(await readFile(path.join(arm.rootfs, 'arch'), 'utf8')).toBe('arm64\n');
      expect(arm.platform).toBe('linux/arm64');
    }
    await expect(openImage(multi, { cacheRoot: freshCache(), arch: 's390x' })).rejects.toMatchObject({
      code: 'TINYX_IMAGE_PLATFORM_NOT_FOUND', message: expect.stringContaining('linux/amd64, linux/arm64'),
    });
  });

  it('refuses a single-platform image for another architecture', async () => {
    const arm = await craftedLayout(path.join(dir, 'arm-only'), [[{ name: 'arch', content: 'arm64\n' }]]);
    await execa('umoci', ['config', '--image', `${arm}:img`, '--architecture', 'arm64']);
    await expect(openImage(arm, { cacheRoot: freshCache() })).rejects.toMatchObject({ code: 'TINYX_IMAGE_PLATFORM_NOT_FOUND', message: expect.stringContaining('linux/arm64') });
  });

  it('needs a tag for a layout holding several images (not for several tags of one), and refuses one it does not hold', async () => {
    const copy = path.join(dir, 'two-tags');
    await cp(layout, copy, { recursive: true });
    await execa('umoci', ['tag', '--image', `${copy}:app`, 'same']);
    expect((await openImage(copy, { cacheRoot: freshCache() })).platform).toBe('linux/amd64');
    await execa('umoci', ['config', '--image', `${copy}:app`, '--tag', 'other', '--config.cmd', '9090']);
    await expect(openImage(copy, { cacheRoot: freshCache() })).rejects.toMatchObject({ code: 'TINYX_USAGE', message: expect.stringContaining('app, other') });
    await expect(openImage(copy, { cacheRoot: freshCache(), tag: 'nope' })).rejects.toMatchObject({ code: 'TINYX_IMAGE_NOT_FOUND' });
    expect((await openImage(copy, { cacheRoot: freshCache(), tag: 'other' })).platform).toBe('linux/amd64');
    // docker save (25 and later) writes OCI archives naming each image in full beside its short tag.
    const index = JSON.parse(await readFile(path.join(copy, 'index.json'), 'utf8')) as { manifests: { annotations: Record<string, string> }[] };
    for (const m of index.manifests) m.annotations['io.containerd.image.name'] = `docker.io/tinyx/${m.annotations['org.opencontainers.image.ref.name']}:1.0`;
    await writeFile(path.join(copy, 'index.json'), JSON.stringify(index));
    const image = await openImage(copy, { cacheRoot: freshCache(), tag: 'tinyx/other:1.0' });
    await expect(openImage(copy, { cacheRoot: freshCache(), tag: 'tinyx/nope:1.0' })).rejects.toMatchObject({ code: 'TINYX_IMAGE_NOT_FOUND' });
    expect(image.format).toBe('oci-layout');
  });
});
