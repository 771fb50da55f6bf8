#!/usr/bin/env node
// Builds the example container images, offline (umoci, skopeo and this host's files), into
// examples/images/ or the directory given: each only when what it is built from changed (says which it built).
//   hello-http.tar        docker save archive: examples/hello-http's server (glibc) and its libraries
//   hello-http-musl.tar   docker save archive: the same server built against musl, no glibc in it
//   lighttpd-debian.oci.tar  OCI archive: Debian's lighttpd as apt-get installs it, examples/lighttpd's site
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appManifest, buildAppImage } from './images/app-image.mjs';
import { buildDebianImage, debianPackages } from './images/debian.mjs';
import { exportArchive } from './images/layout.mjs';
import { buildIfChanged, inputHash } from './images/stamp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ex = (p) => path.join(root, 'examples', p);

/** An app image of a hello-http server binary: the server (root: it binds port 80) and its loader and libraries. */
async function helloHttp(binary) {
  const manifest = await appManifest(binary, '/app');
  const config = { entrypoint: [manifest.app.guestPath], exposedports: ['80/tcp'], workingdir: ['/'] };
  const entries = manifest.entries.map(({ guestPath, kind, mode, target, hostPath }) => [guestPath, kind, mode, target ?? '', hostPath ? '' : '-']);
  const inputs = [JSON.stringify({ entries, config }), ...manifest.entries.filter((e) => e.hostPath).map((e) => ({ file: e.hostPath }))];
  return { inputs, build: (dir) => buildAppImage(dir, manifest, config), tag: 'app' };
}

/** Debian's lighttpd with the example's config and pages; lighttpd starts as root and drops to www-data itself. */
async function lighttpdDebian() {
  const copy = [{ from: ex('lighttpd/lighttpd.conf'), to: '/etc/lighttpd/lighttpd.conf' }, { from: ex('lighttpd/www'), to: '/var/www/html' }];
  const config = { entrypoint: ['/usr/sbin/lighttpd', '-D', '-f', '/etc/lighttpd/lighttpd.conf'], exposedports: ['80/tcp'], workingdir: ['/'] };
  const versions = await execa('dpkg-query', ['-W', '-f=${binary:Package} ${Version}\n', ...(await debianPackages(['lighttpd']))]);
  const inputs = [versions.stdout, JSON.stringify({ copy: copy.map((c) => c.to), config }), ...copy.map((c) => ({ file: c.from }))];
  return { inputs, build: (dir) => buildDebianImage(dir, { packages: ['lighttpd'], copy, config }), tag: 'debian' };
}

const IMAGES = [
  { file: 'hello-http.tar', format: 'docker-archive', name: 'tinyx-example/hello-http:latest', recipe: () => helloHttp(ex('hello-http/build/server')) },
  { file: 'hello-http-musl.tar', format: 'docker-archive', name: 'tinyx-example/hello-http-musl:latest', recipe: () => helloHttp(ex('hello-http/build/server-musl')) },
  { file: 'lighttpd-debian.oci.tar', format: 'oci-archive', recipe: lighttpdDebian },
];

const out = path.resolve(process.argv[2] ?? ex('images'));
await mkdir(out, { recursive: true });
await execa('make', ['-s', '-C', ex('hello-http'), 'build/server', 'build/server-musl'], { stdio: 'inherit' });
const sources = (await readdir(path.join(root, 'scripts/images'))).sort().map((f) => ({ file: path.join(root, 'scripts/images', f) }));
for (const image of IMAGES) {
  const started = Date.now();
  const recipe = await image.recipe();
  const key = await inputHash([{ file: fileURLToPath(import.meta.url) }, ...sources, image.format, image.name ?? '', ...recipe.inputs]);
  const file = path.join(out, image.file);
  const built = await buildIfChanged(file, key, async (tmp) => {
    const work = await mkdtemp(path.join(out, '.build-'));
    try {
      await exportArchive(await recipe.build(work), recipe.tag, { format: image.format, file: tmp, name: image.name });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  if (built) console.error(`example-images: ${image.file} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${((await stat(file)).size / 1e6).toFixed(1)} MB)`);
}
