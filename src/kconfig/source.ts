// Finds the kernel tree: --kernel-src, or Debian's linux-source tarball unpacked once into the cache.
import { mkdir, readdir, readFile, rename, rm, writeFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { cacheRoot } from '../util/paths.js';
import { exists } from '../util/fsx.js';
import { sha256 } from '../util/hash.js';

export interface KernelSource {
  /** Absolute path of the (pristine) source tree. */
  dir: string;
  /** `make kernelversion` style: 6.1.192. */
  version: string;
  /** Short stable identity of the tree, for cache keys (path + version). */
  key: string;
}

const TARBALL_DIR = '/usr/src';

export async function resolveKernelSource(options: { kernelSrc?: string; cache?: string } = {}): Promise<KernelSource> {
  const dir = options.kernelSrc
    ? await checkTree(path.resolve(options.kernelSrc))
    : await unpackDebianSource(options.cache ?? cacheRoot());
  const version = await kernelVersion(dir);
  return { dir, version, key: `${version}-${sha256(dir).slice(0, 8)}` };
}

async function checkTree(dir: string): Promise<string> {
  if (!(await exists(path.join(dir, 'Makefile'))) || !(await exists(path.join(dir, 'scripts', 'kconfig')))) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} is not a Linux kernel source tree (no Makefile or scripts/kconfig).`, {
      advice: 'Pass --kernel-src with the top of an unpacked kernel tree, or omit it to use Debian\'s linux-source-6.1.',
    });
  }
  return realpath(dir);
}

/** The newest /usr/src/linux-source-*.tar.xz, unpacked into <cache>/kernel/ on first use. */
async function unpackDebianSource(cache: string): Promise<string> {
  const tarballs = (await readdir(TARBALL_DIR).catch(() => [] as string[]))
    .filter((f) => /^linux-source-[\d.]+\.tar\.xz$/.test(f))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const tarball = tarballs.at(-1);
  if (!tarball) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `No kernel source: no linux-source-*.tar.xz in ${TARBALL_DIR} and no --kernel-src.`, {
      advice: 'Run `apt-get install linux-source-6.1` (as root), or pass --kernel-src DIR.',
    });
  }
  const name = tarball.replace(/\.tar\.xz$/, '');
  const root = path.join(cache, 'kernel');
  const dir = path.join(root, name);
  const done = `${dir}.unpacked`;
  if (await exists(done)) return dir;
  await mkdir(root, { recursive: true });
  const staging = await makeStaging(root);
  try {
    await execa('tar', ['-xJf', path.join(TARBALL_DIR, tarball), '-C', staging]);
    await rm(dir, { recursive: true, force: true });
    await rename(path.join(staging, name), dir);
    await writeFile(done, `${TARBALL_DIR}/${tarball}\n`);
  } catch (error) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `Could not unpack ${tarball} into ${root}.`, {
      advice: 'Check free disk space (the tree takes ~1.5 GB).',
      cause: error,
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

async function makeStaging(root: string): Promise<string> {
  const staging = path.join(root, `.unpack-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  return staging;
}

/** VERSION.PATCHLEVEL.SUBLEVEL from the top Makefile, without running make. */
export async function kernelVersion(dir: string): Promise<string> {
  const makefile = await readFile(path.join(dir, 'Makefile'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}[ \t]*=[ \t]*([^\\s#]*)`, 'm').exec(makefile)?.[1] ?? '';
  const extra = field('EXTRAVERSION');
  return `${field('VERSION')}.${field('PATCHLEVEL')}.${field('SUBLEVEL')}${extra}`;
}
