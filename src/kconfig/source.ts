// Finds the kernel tree (--kernel-src, or Debian's linux-source tarball unpacked once into the cache) and its cache key.
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { cacheRoot } from '../util/paths.js';
import { exists } from '../util/fsx.js';
import { dirIdentity, treeKey } from './identity.js';
import { TARBALL_DIR, TARBALL_IDENTITY, unpackDebianSource } from './tarball.js';

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
}

export interface SourceOptions {
  kernelSrc?: string;
  cache?: string;
  /** Where to look for linux-source-*.tar.xz (default /usr/src). */
  tarballDir?: string;
}

export async function resolveKernelSource(options: SourceOptions = {}): Promise<KernelSource> {
  const cache = options.cache ?? cacheRoot();
  const { dir, identity } = options.kernelSrc
    ? await givenTree(await checkTree(path.resolve(options.kernelSrc)), cache)
    : await unpackDebianSource(cache, options.tarballDir ?? TARBALL_DIR);
  const version = await kernelVersion(dir);
  return { dir, version, key: treeKey(version, identity), identity };
}

/** A tree tinyx unpacked (it never writes there) is its tarball, however it is reached; others are hashed. */
async function givenTree(dir: string, cache: string): Promise<{ dir: string; identity: string }> {
  const marker = await readFile(`${dir}.unpacked`, 'utf8').then((t) => t.trim(), () => '');
  const identity = TARBALL_IDENTITY.test(marker) ? marker : await dirIdentity(dir, path.join(cache, 'kernel', 'tree-hashes'));
  return { dir, identity };
}

async function checkTree(dir: string): Promise<string> {
  if (!(await exists(path.join(dir, 'Makefile'))) || !(await exists(path.join(dir, 'scripts', 'kconfig')))) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} is not a Linux kernel source tree (no Makefile or scripts/kconfig).`, {
      advice: 'Pass --kernel-src with the top of an unpacked kernel tree, or omit it to use Debian\'s linux-source-6.1.',
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
