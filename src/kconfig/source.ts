// Finds the kernel tree and its cache key: --kernel-src (a tree, a tarball or a linux-source package), else the
// profile's kernel.source, else the newest linux-source package; Debian's tarballs are unpacked once into the cache.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { cacheRoot } from '../util/paths.js';
import { exists } from '../util/fsx.js';
import { dirIdentity, treeKey } from './identity.js';
import { installedPackages, PACKAGE_NAME, TARBALL_DIR, TARBALL_IDENTITY, unpackTarball } from './tarball.js';
import { useTree, withTreeLock } from './tree-lock.js';

export interface KernelSource {
  /** Absolute path of the (pristine) source tree. */
  dir: string;
  /** `make kernelversion` style: 6.1.192. */
  version: string;
  /** Short stable name of the tree's content, for cache keys: `<version>-<8 hex of identity>`. */
  key: string;
  /**
   * What the key was made from, for reports: "debian linux-source-6.1 6.1.192-3 sha256:<tarball>",
   * "git <commit>", "git <commit> +dirty:<hash>" or "tree sha256:<hash of the files>".
   */
  identity: string;
  /** How the tree was chosen, for the run's log: "--kernel-src DIR", "profile qemu-x86_64 (kernel.source)", "the newest in /usr/src". */
  chosenBy: string;
  /** The linux-source package it was unpacked from, when it was (workers look for the same one). */
  package?: string;
  /** What a user should know about the choice: a newer linux-source installed beside the one used, say. */
  notes: string[];
}

export interface SourceOptions {
  /** A tree, a .tar.xz, or a linux-source package name. */
  kernelSrc?: string;
  /** The profile that names the package to use by default (its kernel.source). */
  profile?: { name: string; kernel: { source?: string } };
  cache?: string;
  /** Where to look for linux-source-*.tar.xz (default /usr/src). */
  tarballDir?: string;
}

/** The tree `kernelSrc` names, else the package the profile names, else the newest installed. */
export async function findKernelSource(options: SourceOptions = {}): Promise<KernelSource> {
  const cache = options.cache ?? cacheRoot();
  const chosen = await chooseTree(options, cache, options.tarballDir ?? TARBALL_DIR);
  const version = await kernelVersion(chosen.dir);
  return { ...chosen, version, key: treeKey(version, chosen.identity) };
}

type Chosen = Omit<KernelSource, 'version' | 'key'>;

async function chooseTree(options: SourceOptions, cache: string, tarballDir: string): Promise<Chosen> {
  const given = options.kernelSrc;
  if (given && (!PACKAGE_NAME.test(given) || (await exists(given)))) {
    const full = path.resolve(given);
    const chosenBy = `--kernel-src ${given}`;
    if (full.endsWith('.tar.xz') && (await stat(full).catch(() => undefined))?.isFile()) return { ...(await unpackTarball(cache, full)), chosenBy, notes: [] };
    return { ...(await givenTree(await checkTree(full), cache)), chosenBy, notes: [] };
  }
  const installed = await installedPackages(tarballDir);
  const named = given ?? options.profile?.kernel.source;
  const chosen = named ?? installed.at(-1);
  const byProfile = `profile ${options.profile?.name} (kernel.source)`;
  if (!chosen || !installed.includes(chosen)) {
    const by = given ? '--kernel-src' : named ? byProfile : 'no --kernel-src and no kernel.source in the profile';
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `No kernel source: ${chosen ?? 'no linux-source package'} is not installed (no ${tarballDir}/${chosen ?? 'linux-source-*'}.tar.xz; ${by}).`, {
      advice: `Run \`apt-get install ${chosen ?? 'linux-source-6.1'}\` (as root)${installed.length ? `, or use one that is installed: --kernel-src ${installed.at(-1)}` : ''}, or pass --kernel-src DIR.`,
    });
  }
  const newer = installed.slice(installed.indexOf(chosen) + 1);
  const notes = given
    ? []
    : named
      ? newer.map((n) => `${n} is installed too; this run uses ${chosen}, as profile ${options.profile!.name} names it (kernel.source); --kernel-src ${n} uses the newer one`)
      : installed.length > 1 ? [`kernel source: ${chosen}, the newest of ${installed.join(', ')} in ${tarballDir}; name one (the profile's kernel.source, or --kernel-src) so a package install cannot change it`] : [];
  const chosenBy = given ? `--kernel-src ${given}` : named ? byProfile : `the newest in ${tarballDir}`;
  return { ...(await unpackTarball(cache, path.join(tarballDir, `${chosen}.tar.xz`))), chosenBy, notes, package: chosen };
}

/**
 * A tree tinyx unpacked (it never writes there) is its tarball, however it is reached, and this run
 * is recorded as using it (a new unpack leaves it alone meanwhile); others are hashed.
 */
async function givenTree(dir: string, cache: string): Promise<{ dir: string; identity: string }> {
  const unpacked = `${dir}.unpacked`;
  if (await exists(unpacked)) {
    const marker = await withTreeLock(dir, async () => {
      await useTree(dir);
      return readFile(unpacked, 'utf8').then((t) => t.trim(), () => '');
    });
    if (TARBALL_IDENTITY.test(marker)) return { dir, identity: marker };
  }
  return { dir, identity: await dirIdentity(dir, path.join(cache, 'kernel', 'tree-hashes')) };
}

async function checkTree(dir: string): Promise<string> {
  if (!(await exists(path.join(dir, 'Makefile'))) || !(await exists(path.join(dir, 'scripts', 'kconfig')))) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} is not a Linux kernel source tree (no Makefile or scripts/kconfig).`, {
      advice: 'Pass --kernel-src with the top of an unpacked kernel tree, a kernel .tar.xz or a linux-source package name (linux-source-6.1), or omit it to use the profile\'s kernel.source.',
    });
  }
  return realpath(dir);
}

/** VERSION.PATCHLEVEL.SUBLEVEL from the top Makefile, without running make. */
export async function kernelVersion(dir: string): Promise<string> {
  const makefile = await readFile(path.join(dir, 'Makefile'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}[ \t]*=[ \t]*([^\\s#]*)`, 'm').exec(makefile)?.[1] ?? '';
  const extra = field('EXTRAVERSION');
  return `${field('VERSION')}.${field('PATCHLEVEL')}.${field('SUBLEVEL')}${extra}`;
}
