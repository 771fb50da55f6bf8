// Images that cannot be trusted or read are refused with a code and advice: missing or altered blobs, malformed JSON, escapes.
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInputError, type TinyxError } from '../../src/errors.js';
import { inspectImage, openImage } from '../../src/image/index.js';
import { blobFile, craftedLayout, readManifest, rewriteManifest, writeBlob, type Crafted } from './build-images.js';

let dir: string;
let base: string;
let docker: string;
let ociArchive: string;
let copies = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-refusals-'));
  base = await craftedLayout(path.join(dir, 'base'), [
    [{ name: 'bin/app', content: '#!/bin/sh\necho app\n'.repeat(2000), mode: 0o755 }],
    [{ name: 'etc/marker', content: 'MARKER-TEXT\n' }],
  ]);
  docker = path.join(dir, 'docker.tar');
  ociArchive = path.join(dir, 'oci.tar');
  await execa('skopeo', ['copy', '-q', `oci:${base}:img`, `docker-archive:${docker}:tinyx/img:1`]);
  await execa('skopeo', ['copy', '-q', `oci:${base}:img`, `oci-archive:${ociArchive}:img`]);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copyOf(ref: string): Promise<string> {
  const copy = path.join(dir, `copy-${copies++}${path.extname(ref)}`);
  await cp(ref, copy, { recursive: true });
  return copy;
}

/** Opens `ref` with a cache of its own; expects a refusal, with advice, that leaves the cache without a tree or a staging dir. */
async function refused(ref: string, code: string, message?: string | RegExp, options: { early?: boolean } = {}): Promise<TinyxError> {
  const cacheRoot = path.join(dir, `cache-${copies++}`);
  // Refusals that need no layer read come from inspectImage, before a caller does anything costly.
  if (options.early) await expect(inspectImage(ref, { cacheRoot })).rejects.toMatchObject({ code });
  const error = (await openImage(ref, { cacheRoot }).then(() => undefined, (e: unknown) => e)) as TinyxError;
  expect(error, `${ref} was not refused`).toBeDefined();
  expect(error).toMatchObject({ code, advice: expect.any(String) });
  if (message) expect(error.message).toMatch(message);
  expect(isInputError(error)).toBe(code.startsWith('TINYX_IMAGE_'));
  expect(await readdir(path.join(cacheRoot, 'images')).catch(() => [])).toEqual([]);
  return error;
}

describe('refused before any layer is read', () => {
  it('a missing path, a file that is no tar, and a tar that is no image', async () => {
    await refused(path.join(dir, 'absent.tar'), 'TINYX_IMAGE_NOT_FOUND', undefined, { early: true });
    const notTar = path.join(dir, 'not.tar');
    await writeFile(notTar, 'x'.repeat(2048));
    await refused(notTar, 'TINYX_IMAGE_INVALID', /not a tar archive/, { early: true });
    const plainTar = path.join(dir, 'plain.tar');
    await execa('tar', ['-cf', plainTar, '-C', base, 'oci-layout']);
    await refused(plainTar, 'TINYX_IMAGE_INVALID', /neither index.json .* nor manifest.json/, { early: true });
    await expect(inspectImage('-', { cacheRoot: path.join(dir, 'stdin-cache'), stdin: Readable.from([]) })).rejects.toMatchObject({ code: 'TINYX_IMAGE_INVALID' });
  });

  it('a missing layer blob, naming the layer', async () => {
    const copy = await copyOf(base);
    await rm(blobFile(copy, (await readManifest(copy)).layers[1]!.digest));
    await refused(copy, 'TINYX_IMAGE_INCOMPLETE', /layer 2 of 2 .* is missing/, { early: true });
  });

  it('a truncated archive, whether cut inside a layer or between members', async () => {
    const insideLayer = await copyOf(docker);
    await truncate(insideLayer, 40 * 512);
    await refused(insideLayer, 'TINYX_IMAGE_INCOMPLETE', /truncated \(Unexpected end of data\)/, { early: true });
    // Cut at the header of its last member (oci-layout, which a layout may lack): only the end-of-archive blocks tell.
    const betweenMembers = await copyOf(ociArchive);
    const blocks = (await execa('tar', ['-tvR', '-f', betweenMembers])).stdout.split('\n').filter((l) => !l.includes('NULs'));
    expect(blocks.at(-1)).toMatch(/ oci-layout$/);
    await truncate(betweenMembers, Number(/^block (\d+):/.exec(blocks.at(-1)!)![1]) * 512);
    await refused(betweenMembers, 'TINYX_IMAGE_INCOMPLETE', /truncated \(unexpected end of archive/, { early: true });
  });

  it('a manifest, index or config whose digest or size does not match', async () => {
    const config = await copyOf(base);
    const configFile = blobFile(config, (await readManifest(config)).config.digest);
    await writeFile(configFile, (await readFile(configFile, 'utf8')).replace('"amd64"', '"AMD64"'));
    await refused(config, 'TINYX_IMAGE_DIGEST_MISMATCH', /the image config has digest sha256:/, { early: true });
    const size = await copyOf(base);
    const index = JSON.parse(await readFile(path.join(size, 'index.json'), 'utf8'));
    index.manifests[0].size += 1;
    await writeFile(path.join(size, 'index.json'), JSON.stringify(index));
    await refused(size, 'TINYX_IMAGE_DIGEST_MISMATCH', /has size/, { early: true });
  });

  it('malformed JSON: index.json that does not parse, a manifest without layers, a bad digest', async () => {
    const garbled = await copyOf(base);
    await writeFile(path.join(garbled, 'index.json'), '{"schemaVersion": 2, "manifests": [');
    await refused(garbled, 'TINYX_IMAGE_INVALID', /index.json .* is not valid JSON/, { early: true });
    const noLayers = await copyOf(base);
    await rewriteManifest(noLayers, (m) => void delete (m as { layers?: unknown }).layers);
    await refused(noLayers, 'TINYX_IMAGE_INVALID', /has no "layers" list/, { early: true });
    const badDigest = await copyOf(base);
    await rewriteManifest(badDigest, (m) => void (m.layers[0]!.digest = 'sha256:1234'));
    await refused(badDigest, 'TINYX_IMAGE_INVALID', /is not a digest/, { early: true });
  });

  it('a layer or config media type tinyx cannot run', async () => {
    const encrypted = await copyOf(base);
    await rewriteManifest(encrypted, (m) => void (m.layers[0]!.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted'));
    await refused(encrypted, 'TINYX_IMAGE_UNSUPPORTED', /layer 1 of 2 has media type .*encrypted/, { early: true });
    const helm = await copyOf(base);
    await rewriteManifest(helm, (m) => void (m.config.mediaType = 'application/vnd.cncf.helm.config.v1+json'));
    await refused(helm, 'TINYX_IMAGE_UNSUPPORTED', /helm/, { early: true });
  });
});

describe('refused while unpacking, leaving nothing in the cache', () => {
  it('a layer blob altered after it was written (same size), and an altered layer in a docker archive (by its diff ID)', async () => {
    const copy = await copyOf(base);
    const layer = blobFile(copy, (await readManifest(copy)).layers[0]!.digest);
    const bytes = await readFile(layer);
    bytes[4] = bytes[4]! ^ 0xff; // gzip's mtime field: the layer still decompresses, to the same tar
    await writeFile(layer, bytes);
    await refused(copy, 'TINYX_IMAGE_DIGEST_MISMATCH', /layer 1 of 2 .* has digest/);
    const archive = await copyOf(docker);
    const tar = await readFile(archive);
    tar.write('marker-text', tar.indexOf('MARKER-TEXT'));
    await writeFile(archive, tar);
    await refused(archive, 'TINYX_IMAGE_DIGEST_MISMATCH', /layer 2 of 2 .*, uncompressed, has digest/);
  });

  it('a gzip or zstd layer cut short, and one compressed with xz', async () => {
    const recompress = async (gz: Buffer, to: string) => (await execa('sh', ['-c', `gzip -dc | ${to}`], { input: gz, encoding: 'buffer' })).stdout as Buffer;
    for (const [name, make, code] of [
      ['cut', async (gz: Buffer) => gz.subarray(0, gz.length / 2), 'TINYX_IMAGE_INCOMPLETE'],
      ['zstd cut', async (gz: Buffer) => (await recompress(gz, 'zstd -c')).subarray(0, 60), 'TINYX_IMAGE_INCOMPLETE'],
      ['zstd garbled', async (gz: Buffer) => Buffer.concat([(await recompress(gz, 'zstd -c')).subarray(0, 20), Buffer.alloc(200, 0x55)]), 'TINYX_IMAGE_INVALID'],
      ['xz', async (gz: Buffer) => recompress(gz, 'xz -c'), 'TINYX_IMAGE_UNSUPPORTED'],
    ] as const) {
      const copy = await copyOf(base);
      await rewriteManifest(copy, async (m) => {
        const blob = await make(await readFile(blobFile(copy, m.layers[0]!.digest)));
        Object.assign(m.layers[0]!, await writeBlob(copy, blob));
      });
      await refused(copy, code, name === 'xz' ? /compressed with xz/ : name === 'cut' ? /gzip tar\) cannot be read: unexpected end/ : /zstd tar\) cannot be read: zstd: /);
    }
  });

  it('entries that would write outside the image root: "..", a symlink parent (absolute or relative), a hard link out', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'tinyx-outside-'));
    const climb = `${'../'.repeat(12)}${outside.slice(1)}`;
    const cases: [Crafted[], RegExp][] = [
      [[{ name: `../${path.basename(outside)}/pwned`, content: 'x' }], /climbs out of the image root/],
      [[{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/pwned', content: 'x' }], /evil\/pwned lies below the symlink \/evil ->/],
      [[{ name: 'up', type: 'symlink', linkname: climb }, { name: 'up/pwned', content: 'x' }], /lies below the symlink/],
      [[{ name: 'hard', type: 'link', linkname: '../../../../etc/passwd' }], /climbs out of the image root/],
      [[{ name: 'hard', type: 'link', linkname: 'nowhere' }], /hard link to nowhere, which is not in the image/],
    ];
    try {
      for (const [i, [entries, message]] of cases.entries()) {
        const layout = await craftedLayout(path.join(dir, `escape-${i}`), [[{ name: 'ok', content: 'ok' }], entries]);
        const error = await refused(layout, 'TINYX_IMAGE_INVALID', message);
        expect(error.message).toMatch(/^layer 2 of 2 \(sha256:/);
      }
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reads an archive from standard input only once it is whole, and removes the spooled copy after a refusal', async () => {
    const cacheRoot = path.join(dir, 'stdin-refusal');
    await mkdir(cacheRoot);
    const cut = await copyOf(docker);
    await truncate(cut, 40 * 512);
    await expect(openImage('-', { cacheRoot, stdin: createReadStream(cut) })).rejects.toMatchObject({ code: 'TINYX_IMAGE_INCOMPLETE', message: expect.stringContaining('standard input') });
    expect(await readdir(path.join(cacheRoot, 'images', 'incoming'))).toEqual([]);
  });
});
