// The kernel tree on a worker: a given path, or Debian's linux-source tarball unpacked in its cache.
import path from 'node:path/posix';
import { TinyxError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import type { Session } from './session.js';
import { quote } from './shell.js';

export interface RemoteTree {
  dir: string;
  version: string;
  /** Same formula as the local tree key, so one machine's artifacts are shared. */
  key: string;
}

/** The worker's tinyx cache root, resolved the way cacheRoot() does locally. */
export async function remoteCacheRoot(session: Session): Promise<string> {
  return (await session.run('printf %s "${TINYX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tinyx}"')).trim();
}

/** Shell snippet printing the newest /usr/src/linux-source-*.tar.xz (empty when none). */
export const FIND_TARBALL = 'ls /usr/src 2>/dev/null | grep -E "^linux-source-[0-9.]+\\.tar\\.xz$" | sort -V | tail -n 1';

export async function resolveRemoteSource(session: Session, options: { kernelSrc?: string; cacheRoot: string }): Promise<RemoteTree> {
  const dir = options.kernelSrc ? await checkTree(session, options.kernelSrc) : await unpackTarball(session, options.cacheRoot);
  const head = await session.run(`head -n 8 ${quote(path.join(dir, 'Makefile'))}`);
  const field = (name: string) => new RegExp(`^${name}[ \t]*=[ \t]*([^\\s#]*)`, 'm').exec(head)?.[1] ?? '';
  const version = `${field('VERSION')}.${field('PATCHLEVEL')}.${field('SUBLEVEL')}${field('EXTRAVERSION')}`;
  return { dir, version, key: `${version}-${sha256(dir).slice(0, 8)}` };
}

async function checkTree(session: Session, dir: string): Promise<string> {
  const result = await session.exec(`cd ${quote(dir)} && test -f Makefile && test -d scripts/kconfig && pwd -P`);
  if (result.code !== 0) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} on ${session.name} is not a Linux kernel source tree (no Makefile or scripts/kconfig).`, {
      advice: 'Give the worker\'s kernelSrc as the top of an unpacked tree, or leave it out to use the worker\'s linux-source-6.1 package.',
    });
  }
  return result.stdout.trim();
}

async function unpackTarball(session: Session, cacheRoot: string): Promise<string> {
  const tarball = (await session.run(FIND_TARBALL)).trim();
  if (!tarball) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `No kernel source on ${session.name}: no /usr/src/linux-source-*.tar.xz and no kernelSrc.`, {
      advice: 'On the worker: apt-get install linux-source-6.1 (as root), or set kernelSrc for it.',
    });
  }
  const name = tarball.replace(/\.tar\.xz$/, '');
  const root = path.join(cacheRoot, 'kernel');
  const dir = path.join(root, name);
  // Same layout and marker as src/kconfig/source.ts; a staging dir so a torn unpack is never used.
  const script = [
    `set -e; root=${quote(root)}; dir=${quote(dir)}`,
    'if [ -e "$dir.unpacked" ]; then exit 0; fi',
    'mkdir -p "$root"; staging="$root/.unpack-remote-$$"; rm -rf "$staging"; mkdir "$staging"',
    `trap 'rm -rf "$staging"' EXIT`,
    `tar -xJf /usr/src/${quote(tarball)} -C "$staging"`,
    `rm -rf "$dir"; mv "$staging/${name}" "$dir"; echo /usr/src/${quote(tarball)} > "$dir.unpacked"`,
  ].join('\n');
  const result = await session.exec(script);
  if (result.code !== 0) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `Could not unpack ${tarball} into ${root} on ${session.name}: ${result.stderr.trim().slice(-300)}`, {
      advice: 'Check free disk space on the worker (the tree takes ~1.5 GB).',
    });
  }
  return dir;
}
