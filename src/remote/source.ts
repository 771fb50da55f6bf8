// The kernel tree on a worker: a given path, or Debian's linux-source tarball unpacked in its cache.
import path from 'node:path/posix';
import { TinyxError } from '../errors.js';
import { treeKey } from '../kconfig/identity.js';
import { quote } from '../util/shell.js';
import { tarballIdentityScript, treeIdentityScript } from './identity.js';
import type { SshConnection } from './connection.js';

export interface RemoteTree {
  dir: string;
  version: string;
  /** Same formula and identity as the local tree key (src/kconfig/source.ts), so one machine's artifacts are shared. */
  key: string;
  /** What the key was made from, as KernelSource.identity. */
  identity: string;
}

/** The worker's tinyx cache root, resolved the way cacheRoot() does locally. */
export async function remoteCacheRoot(ssh: SshConnection): Promise<string> {
  return (await ssh.run('printf %s "${TINYX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tinyx}"')).trim();
}

/** Shell snippet printing `package`'s tarball in `dir`, or without a package the newest linux-source-*.tar.xz (empty when none). */
export function findTarballCommand(dir: string, pkg?: string): string {
  const match = pkg ? `-Fx -e ${quote(`${pkg}.tar.xz`)}` : `-E -e ${quote('^linux-source-[0-9.]+\\.tar\\.xz$')}`;
  return `ls ${quote(dir)} 2>/dev/null | grep ${match} | sort -V | tail -n 1`;
}

/** The worker's tree: its kernelSrc, else the tarball of the package the run's own tree came from (else the newest). */
export async function resolveRemoteSource(ssh: SshConnection, options: { kernelSrc?: string; cacheRoot: string; tarballDir?: string; package?: string }): Promise<RemoteTree> {
  const { dir, identity } = options.kernelSrc
    ? await givenTree(ssh, await checkTree(ssh, options.kernelSrc), options.cacheRoot)
    : await unpackTarball(ssh, options.cacheRoot, options.tarballDir ?? '/usr/src', options.package);
  const head = await ssh.run(`head -n 8 ${quote(path.join(dir, 'Makefile'))}`);
  const field = (name: string) => new RegExp(`^${name}[ \t]*=[ \t]*([^\\s#]*)`, 'm').exec(head)?.[1] ?? '';
  const version = `${field('VERSION')}.${field('PATCHLEVEL')}.${field('SUBLEVEL')}${field('EXTRAVERSION')}`;
  return { dir, version, key: treeKey(version, identity), identity };
}

async function givenTree(ssh: SshConnection, dir: string, cacheRoot: string): Promise<{ dir: string; identity: string }> {
  const identity = (await ssh.run(treeIdentityScript(dir, path.join(cacheRoot, 'kernel', 'tree-hashes')))).trim();
  return { dir, identity };
}

async function checkTree(ssh: SshConnection, dir: string): Promise<string> {
  const result = await ssh.exec(`cd ${quote(dir)} && test -f Makefile && test -d scripts/kconfig && pwd -P`);
  if (result.code !== 0) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${dir} on ${ssh.name} is not a Linux kernel source tree (no Makefile or scripts/kconfig).`, {
      advice: 'Give the worker\'s kernelSrc as the top of an unpacked tree, or leave it out to use the worker\'s linux-source-6.1 package.',
    });
  }
  // pwd -P ends its line with one newline; a path may itself end in spaces or newlines.
  return result.stdout.replace(/\n$/, '');
}

async function unpackTarball(ssh: SshConnection, cacheRoot: string, tarballDir: string, pkg?: string): Promise<{ dir: string; identity: string }> {
  const file = (await ssh.run(findTarballCommand(tarballDir, pkg))).trim();
  if (!file) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `No kernel source on ${ssh.name}: no ${tarballDir}/${pkg ?? 'linux-source-*'}.tar.xz and no kernelSrc.`, {
      advice: `On the worker: apt-get install ${pkg ?? 'linux-source-6.1'} (as root), or set kernelSrc for it.`,
    });
  }
  const tarball = path.join(tarballDir, file);
  const name = file.replace(/\.tar\.xz$/, '');
  const root = path.join(cacheRoot, 'kernel');
  const dir = path.join(root, name);
  const identity = (await ssh.run(tarballIdentityScript(tarball, path.join(root, `${file}.identity`)))).trim();
  // Same layout, marker and re-unpack rule as src/kconfig/tarball.ts (a marker holding the tarball's
  // path is from before identities); a staging dir so a torn unpack is never used.
  const script = [
    `set -e; root=${quote(root)}; dir=${quote(dir)}; t=${quote(tarball)}; id=${quote(identity)}`,
    'if [ "$(cat "$dir.unpacked" 2>/dev/null)" = "$id" ]; then exit 0; fi',
    'if [ "$(cat "$dir.unpacked" 2>/dev/null)" = "$t" ] && [ "$(stat -c %.9Z "$t" | tr -d .)" -lt "$(stat -c %.9Y "$dir.unpacked" | tr -d .)" ]; then',
    '  printf \'%s\\n\' "$id" > "$dir.unpacked.$$"; mv "$dir.unpacked.$$" "$dir.unpacked"; exit 0',
    'fi',
    'mkdir -p "$root"; staging="$root/.unpack-remote-$$"; rm -rf "$staging"; mkdir "$staging"',
    `trap 'rm -rf "$staging"' EXIT`,
    'tar -xJf "$t" -C "$staging"',
    `rm -f "$dir.unpacked"; rm -rf "$dir"; mv "$staging"/${quote(name)} "$dir"; printf '%s\\n' "$id" > "$dir.unpacked"`,
  ].join('\n');
  const result = await ssh.exec(script);
  if (result.code !== 0) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `Could not unpack ${tarball} into ${root} on ${ssh.name}: ${result.stderr.trim().slice(-300)}`, {
      advice: 'Check free disk space on the worker (the tree takes ~1.5 GB).',
    });
  }
  return { dir, identity };
}
