// Builds, offline, a Debian-based image of a packaged server as `FROM debian:bookworm` + `apt-get install PKG` + `COPY` would: from this host's installed packages.
import { execa } from 'execa';
import { copyFile, cp, lstat, mkdir, readFile, readlink, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addTreeLayer, configure, newLayout } from './layout.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const { hostPackageClosure } = await import(path.join(dist, 'deps/pkgclosure.js'));
const { packageFiles } = await import(path.join(dist, 'deps/pkgfiles.js'));
const { pickAccounts } = await import(path.join(dist, 'packager/accounts.js'));

/** What every Debian image has before any apt-get install: its base files, its accounts, a /bin/sh. */
const BASE = ['base-files', 'base-passwd', 'dash'];
/** Merged /usr: in a Debian 12 image these are symlinks into /usr, and layers hold the real paths. */
const MERGED = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * @typedef {object} DebianImage
 * @property {string[]} packages installed, with their Depends closure and the base
 * @property {Record<string, string[] | undefined>} config umoci's config keys (see configure)
 * @property {{ from: string, to: string }[]} [copy] host files or trees put in a layer of their own, as COPY does
 */

/**
 * The binary:Package names of the installed closure of `packages` and the base (what the image holds).
 * @param {string[]} packages
 * @returns {Promise<string[]>}
 */
export async function debianPackages(packages) {
  const closure = await hostPackageClosure([...BASE, ...packages]);
  if (!closure) throw new Error('dpkg-query cannot list the installed packages: a Debian image is built from a Debian host');
  return closure.packages;
}

/**
 * An OCI layout at `dir`/layout, tag "debian": the Depends closure of `packages` and the base,
 * every file `dpkg -L` lists for them copied from this host at its real path (so /bin/dash lands
 * in usr/bin, below the merged-/usr symlinks, as in a layer docker writes), the system accounts
 * and a dpkg status file and file lists (info/*.list) of just those packages; then `copy`, one layer more.
 * Maintainer scripts are not run.
 * @param {string} dir
 * @param {DebianImage} image
 * @returns {Promise<string>} the layout's path
 */
export async function buildDebianImage(dir, image) {
  const closure = await debianPackages(image.packages);
  const paths = new Set();
  for (const pkg of closure) {
    for (const p of await packageFiles(pkg)) {
      if (p === '/.' || MERGED.includes(p.slice(1))) continue;
      const real = path.join(await realpath(path.dirname(p)).catch(() => path.dirname(p)), path.basename(p));
      if (await lstat(real).then(() => true, () => false)) paths.add(real.slice(1));
    }
  }
  const layout = await newLayout(dir, 'debian');
  const list = path.join(dir, 'files');
  await writeFile(list, [...paths].sort().join('\n') + '\n');
  await addTreeLayer(layout, 'debian', path.join(dir, 'bundle'), async (root) => {
    await execa('sh', ['-c', `tar -C / --no-recursion -cf - -T "$1" | tar -C "$2" -xpf -`, 'sh', list, root]);
    for (const name of MERGED) {
      const target = await readlink(`/${name}`).catch(() => undefined);
      if (target) await symlink(target, path.join(root, name));
    }
    const accounts = pickAccounts(await readFile('/etc/passwd', 'utf8'), await readFile('/etc/group', 'utf8'));
    await writeFile(path.join(root, 'etc/passwd'), accounts.passwd);
    await writeFile(path.join(root, 'etc/group'), accounts.group);
    await mkdir(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
    const names = new Set(closure.map((p) => p.replace(/:.*$/, '')));
    const stanzas = (await readFile('/var/lib/dpkg/status', 'utf8')).split(/\n\n+/).filter((s) => names.has(/^Package: (\S+)/m.exec(s)?.[1] ?? ''));
    await writeFile(path.join(root, 'var/lib/dpkg/status'), stanzas.join('\n\n') + '\n');
    for (const id of closure) {
      for (const name of [`${id}.list`, `${id.replace(/:.*$/, '')}.list`]) await copyFile(`/var/lib/dpkg/info/${name}`, path.join(root, 'var/lib/dpkg/info', name)).catch(() => undefined);
    }
  });
  if (image.copy?.length) {
    await addTreeLayer(layout, 'debian', path.join(dir, 'bundle'), async (root) => {
      for (const { from, to } of image.copy) await cp(from, path.join(root, to), { recursive: true, force: true });
    });
  }
  await configure(layout, 'debian', image.config);
  return layout;
}
