// Builds the container images the image tests read, offline, with the real tools (scripts/images/layout.mjs): umoci writes OCI layouts, skopeo converts them.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { chmod, chown, copyFile, link, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pack, type Header } from 'tar-stream';
import { addTreeLayer, configure, exportArchive, newLayout } from '../../scripts/images/layout.mjs';

const repo = path.resolve(__dirname, '../..');
const SERVER_SOURCE = path.join(repo, 'examples/hello-http/server.c');
/** Debian's musl: its libc.so is also its dynamic loader. */
const MUSL_LIBC = '/usr/lib/x86_64-linux-musl/libc.so';
export const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1';

const ociIndex = (dir: string) => path.join(dir, 'index.json');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A tar entry to craft, its content given as text. */
export type Crafted = Partial<Header> & { name: string; content?: string };

export async function tarOf(entries: Crafted[]): Promise<Buffer> {
  const packer = pack();
  for (const { content, ...header } of entries) packer.entry({ mode: 0o644, ...header }, content ?? '');
  packer.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of packer) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The app image, tag "app", in an OCI layout at `dir` (gzip layers): hello-http's server built
 * against musl (dynamically linked, musl's loader beside it: not the host's libc), with
 * - layer 1 (umoci repack): the server, a hard link and a symlink to it, /etc/passwd and
 *   /etc/group with user app (1000) and group web (2000), a setuid file, a 0700 home owned by
 *   1000, /dev/null, a fifo, a sticky /var/tmp, /etc/remove-me, /opt/cache/{a,b};
 * - layer 2 (umoci repack, which writes whiteouts): /etc/remove-me deleted, /etc/motd added;
 * - layer 3 (a crafted tar, added as is): /opt/cache made opaque, holding only c.
 * Its config: Entrypoint [server], Cmd [8080], User app, WorkingDir /srv/www, port 8080/tcp, a volume, a stop signal.
 */
export async function buildAppLayout(dir: string): Promise<string> {
  const layout = await newLayout(dir, 'app');
  const bundle = path.join(dir, 'bundle');
  await addTreeLayer(layout, 'app', bundle, async (root) => {
    for (const d of ['bin', 'lib', 'etc', 'srv/www', 'home/app', 'dev', 'run', 'var/tmp', 'opt/cache', 'usr/bin']) await mkdir(path.join(root, d), { recursive: true });
    await execa('musl-gcc', ['-O2', '-o', path.join(root, 'bin/server'), SERVER_SOURCE]);
    await copyFile(MUSL_LIBC, path.join(root, MUSL_LOADER));
    await link(path.join(root, 'bin/server'), path.join(root, 'usr/bin/server-hard'));
    await symlink('/bin/server', path.join(root, 'usr/bin/hello'));
    await writeFile(path.join(root, 'srv/www/index.html'), 'hello\n');
    await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nweb:x:2000:\n');
    await chown(path.join(root, 'home/app'), 1000, 1000);
    await chmod(path.join(root, 'home/app'), 0o700);
    await copyFile(path.join(repo, 'build/tinyx-init'), path.join(root, 'usr/bin/suid'));
    await chmod(path.join(root, 'usr/bin/suid'), 0o4755);
    await execa('mknod', [path.join(root, 'dev/null'), 'c', '1', '3']);
    await execa('mkfifo', [path.join(root, 'run/fifo')]);
    await chmod(path.join(root, 'var/tmp'), 0o1777);
    for (const [file, text] of [['etc/remove-me', 'x\n'], ['opt/cache/a', 'a\n'], ['opt/cache/b', 'b\n']]) await writeFile(path.join(root, file!), text!);
  });
  await addTreeLayer(layout, 'app', bundle, async (root) => {
    await rm(path.join(root, 'etc/remove-me'));
    await writeFile(path.join(root, 'etc/motd'), 'welcome\n');
  });
  await addLayer(layout, 'app', path.join(dir, 'opaque.tar'), [
    { name: 'opt/cache/', type: 'directory', mode: 0o755 },
    { name: 'opt/cache/.wh..wh..opq' },
    { name: 'opt/cache/c', content: 'c\n' },
  ]);
  await configure(layout, 'app', {
    entrypoint: ['server'], cmd: ['8080'], user: ['app'], workingdir: ['/srv/www'], exposedports: ['8080/tcp'], env: ['GREETING=hi'], volume: ['/data'], stopsignal: ['SIGQUIT'],
  });
  return layout;
}

/** Appends a crafted layer (`entries`, written as the tar `file`) to `layout`:`tag`, as umoci raw add-layer does (it gzips it). */
export async function addLayer(layout: string, tag: string, file: string, entries: Crafted[]): Promise<void> {
  await writeFile(file, await tarOf(entries));
  await execa('umoci', ['raw', 'add-layer', '--image', `${layout}:${tag}`, file]);
}

/** An image, tag "img", of crafted layers only, with `server` as its entrypoint. */
export async function craftedLayout(dir: string, layers: Crafted[][]): Promise<string> {
  const layout = await newLayout(dir, 'img');
  for (const [i, entries] of layers.entries()) await addLayer(layout, 'img', path.join(dir, `layer${i}.tar`), entries);
  await configure(layout, 'img', { entrypoint: ['/bin/true'] });
  return layout;
}

export interface Exported {
  docker: string;
  ociGzip: string;
  ociZstd: string;
  /** An OCI layout with uncompressed layers, which skopeo 1.9 labels tar+gzip. */
  ociPlain: string;
}

/** `layout`:`tag` in the other formats, by skopeo: docker save's, OCI archives (gzip, zstd), an uncompressed layout. */
export async function exportImage(layout: string, tag: string, dir: string): Promise<Exported> {
  const out = { docker: path.join(dir, 'docker.tar'), ociGzip: path.join(dir, 'oci-gzip.tar'), ociZstd: path.join(dir, 'oci-zstd.tar'), ociPlain: path.join(dir, 'oci-plain') };
  await exportArchive(layout, tag, { format: 'docker-archive', file: out.docker, name: 'tinyx/app:1' });
  await exportArchive(layout, tag, { format: 'oci-archive', file: out.ociGzip });
  await exportArchive(layout, tag, { format: 'oci-archive', file: out.ociZstd, compress: 'zstd' });
  await execa('skopeo', ['copy', '-q', '--dest-oci-accept-uncompressed-layers', `docker-archive:${out.docker}`, `oci:${out.ociPlain}:${tag}`]);
  return out;
}

/**
 * An OCI layout whose index.json points at one multi-platform index: linux/amd64 (a layer holding
 * /arch = amd64) and linux/arm64 (/arch = arm64), as `docker buildx --platform` writes them.
 */
export async function buildMultiPlatform(dir: string): Promise<string> {
  const layout = path.join(dir, 'multi');
  await execa('umoci', ['init', '--layout', layout]);
  const platforms: { architecture: string; os: string }[] = [];
  for (const architecture of ['amd64', 'arm64']) {
    await execa('umoci', ['new', '--image', `${layout}:${architecture}`]);
    await addLayer(layout, architecture, path.join(dir, `${architecture}.tar`), [{ name: 'arch', content: `${architecture}\n` }]);
    await execa('umoci', ['config', '--image', `${layout}:${architecture}`, '--architecture', architecture, '--os', 'linux', '--config.entrypoint', '/bin/true']);
    platforms.push({ architecture, os: 'linux' });
  }
  const tagged = JSON.parse(await readFile(ociIndex(layout), 'utf8')) as { manifests: { annotations: Record<string, string> }[] };
  const manifests = tagged.manifests.map(({ annotations, ...m }) => ({ ...m, platform: platforms.find((p) => p.architecture === annotations['org.opencontainers.image.ref.name'])! }));
  const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  await writeFile(path.join(layout, 'blobs/sha256', sha256(nested)), nested);
  const top = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${sha256(nested)}`, size: nested.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] };
  await writeFile(ociIndex(layout), JSON.stringify(top));
  return layout;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface LayoutManifest {
  config: Descriptor;
  layers: Descriptor[];
  [field: string]: unknown;
}

export const blobFile = (layout: string, digest: string) => path.join(layout, 'blobs', digest.replace(':', '/'));

/** The manifest that `layout`'s index.json names first. */
export async function readManifest(layout: string): Promise<LayoutManifest> {
  const index = JSON.parse(await readFile(ociIndex(layout), 'utf8')) as { manifests: Descriptor[] };
  return JSON.parse(await readFile(blobFile(layout, index.manifests[0]!.digest), 'utf8')) as LayoutManifest;
}

/** Writes `bytes` as a blob of `layout`; its descriptor's digest and size. */
export async function writeBlob(layout: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${sha256(bytes)}`;
  await writeFile(blobFile(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/** Edits the first manifest of `layout` and points index.json at the edited one, digests kept right. */
export async function rewriteManifest(layout: string, edit: (manifest: LayoutManifest) => void | Promise<void>): Promise<void> {
  const manifest = await readManifest(layout);
  await edit(manifest);
  const written = await writeBlob(layout, Buffer.from(JSON.stringify(manifest)));
  const index = JSON.parse(await readFile(ociIndex(layout), 'utf8')) as { manifests: Descriptor[] };
  Object.assign(index.manifests[0]!, written);
  await writeFile(ociIndex(layout), JSON.stringify(index));
}
