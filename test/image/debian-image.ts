// Builds, offline, a Debian-based image of a packaged server as `FROM debian:bookworm` + `apt-get install PKG` would: from this host's installed packages.
import { execa } from 'execa';
import { copyFile, lstat, mkdir, readFile, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostPackageClosure } from '../../src/deps/pkgclosure.js';
import { packageFiles } from '../../src/deps/pkgfiles.js';
import { pickAccounts } from '../../src/packager/accounts.js';

/** What every Debian image has before any apt-get install: its base files, its accounts, a /bin/sh. */
const BASE = ['base-files', 'base-passwd', 'dash'];
/** Merged /usr: in a Debian 12 image these are symlinks into /usr, and layers hold the real paths. */
const MERGED = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export interface DebianImageOptions {
  packages: string[];
  entrypoint: string[];
  cmd?: string[];
  ports?: string[];
}

/**
 * An OCI layout at `dir`/layout, tag "debian": the Depends closure of `packages` and the base,
 * every file `dpkg -L` lists for them copied from this host at its real path (so /bin/dash lands
 * in usr/bin, below the merged-/usr symlinks, as in a layer docker writes), the system accounts
 * and a dpkg status file and file lists (info/*.list) of just those packages. Maintainer scripts are not run.
 */
export async function buildDebianImage(dir: string, options: DebianImageOptions): Promise<string> {
  const closure = (await hostPackageClosure([...BASE, ...options.packages]))!;
  const paths = new Set<string>();
  for (const pkg of closure.packages) {
    for (const p of await packageFiles(pkg)) {
      if (p === '/.' || MERGED.includes(p.slice(1))) continue;
      const real = path.join(await realpath(path.dirname(p)).catch(() => path.dirname(p)), path.basename(p));
      if (await lstat(real).then(() => true, () => false)) paths.add(real.slice(1));
    }
  }
  const layout = path.join(dir, 'layout');
  const bundle = path.join(dir, 'bundle');
  const root = path.join(bundle, 'rootfs');
  await execa('umoci', ['init', '--layout', layout]);
  await execa('umoci', ['new', '--image', `${layout}:debian`]);
  await execa('umoci', ['unpack', '--image', `${layout}:debian`, bundle]);
  const list = path.join(dir, 'files');
  await writeFile(list, [...paths].sort().join('\n') + '\n');
  await execa('sh', ['-c', `tar -C / --no-recursion -cf - -T "$1" | tar -C "$2" -xpf -`, 'sh', list, root]);
  for (const name of MERGED) {
    const target = await readlink(`/${name}`).catch(() => undefined);
    if (target) await symlink(target, path.join(root, name));
  }
  const accounts = pickAccounts(await readFile('/etc/passwd', 'utf8'), await readFile('/etc/group', 'utf8'));
  await writeFile(path.join(root, 'etc/passwd'), accounts.passwd);
  await writeFile(path.join(root, 'etc/group'), accounts.group);
  await mkdir(path.join(root, 'var/lib/dpkg'), { recursive: true });
  const names = new Set(closure.packages.map((p) => p.replace(/:.*$/, '')));
  const stanzas = (await readFile('/var/lib/dpkg/status', 'utf8')).split(/\n\n+/).filter((s) => names.has(/^Package: (\S+)/m.exec(s)?.[1] ?? ''));
  await writeFile(path.join(root, 'var/lib/dpkg/status'), stanzas.join('\n\n') + '\n');
  await mkdir(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
  for (const id of closure.packages) {
    for (const name of [`${id}.list`, `${id.replace(/:.*$/, '')}.list`]) await copyFile(`/var/lib/dpkg/info/${name}`, path.join(root, 'var/lib/dpkg/info', name)).catch(() => undefined);
  }
  await execa('umoci', ['repack', '--image', `${layout}:debian`, bundle]);
  await rm(bundle, { recursive: true });
  const flag = (name: string, values: string[] = []) => values.map((v) => `--config.${name}=${v}`);
  const config = [...flag('entrypoint', options.entrypoint), ...flag('cmd', options.cmd), ...flag('exposedports', options.ports)];
  await execa('umoci', ['config', '--image', `${layout}:debian`, ...config]);
  await execa('umoci', ['gc', '--layout', layout]);
  return layout;
}
