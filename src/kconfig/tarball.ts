// Kernel tarballs: Debian's linux-source packages in /usr/src (or any .tar.xz), what each is (package, version, sha256), unpacked once into the cache.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256File } from '../util/hash.js';
import { otherUsers, useTree, withTreeLock } from './tree-lock.js';

export const TARBALL_DIR = '/usr/src';

/** An unpacked tarball's identity, as its `.unpacked` marker records it. */
export const TARBALL_IDENTITY = /^(debian|tarball) \S.* sha256:[0-9a-f]{64}$/;

/** A Debian kernel source package, as a profile's kernel.source or --kernel-src names it: linux-source-6.1. */
export const PACKAGE_NAME = /^linux-source-\d+\.\d+$/;

/** The linux-source packages whose tarballs are in `tarballDir`, oldest first: [linux-source-6.1, linux-source-6.12]. */
export async function installedPackages(tarballDir: string): Promise<string[]> {
  return (await readdir(tarballDir).catch(() => [] as string[]))
    .filter((f) => /^linux-source-[\d.]+\.tar\.xz$/.test(f))
    .map((f) => f.replace(/\.tar\.xz$/, ''))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/**
 * A kernel tarball (.tar.xz holding one top directory), unpacked into <cache>/kernel/<its name>. The
 * `.unpacked` marker records the tarball's identity; a changed tarball (a package upgrade) is
 * unpacked again into the same path, so caches keyed on paths (ccache) still hit. One process
 * unpacks at a time (another waits, then uses its tree), each records that it uses the tree, and a
 * tree another live process uses is never deleted for a new unpack (TINYX_KERNEL_SRC_BUSY).
 */
export async function unpackTarball(cache: string, tarball: string): Promise<{ dir: string; identity: string }> {
  const file = path.basename(tarball);
  const root = path.join(cache, 'kernel');
  const dir = path.join(root, file.replace(/\.tar\.xz$/, ''));
  const identity = await tarballIdentity(tarball, path.join(root, `${file}.identity`));
  return withTreeLock(dir, async () => {
    if (!(await unpackedFrom(`${dir}.unpacked`, tarball, identity))) await unpack(tarball, dir, identity);
    await useTree(dir);
    return { dir, identity };
  });
}

/** Unpacks `tarball` into `dir`, replacing the tree there unless another live process uses it. */
async function unpack(tarball: string, dir: string, identity: string): Promise<void> {
  const file = path.basename(tarball);
  const root = path.dirname(dir);
  const done = `${dir}.unpacked`;
  const users = await otherUsers(dir);
  if (users.length > 0) {
    throw new TinyxError('TINYX_KERNEL_SRC_BUSY', `${dir} is to be unpacked again from ${file} (the tarball changed since, say by a package upgrade), and tinyx (pid ${users.join(', ')}) is using the tree there: unpacking now would delete it under ${users.length === 1 ? 'that run' : 'those runs'}.`, {
      advice: `Run again once ${users.length === 1 ? 'it has' : 'they have'} finished (the new ${file} is then unpacked), or pass --kernel-src ${dir} to use the tree as it is.`,
    });
  }
  await mkdir(root, { recursive: true });
  const staging = await makeStaging(root);
  try {
    await execa('tar', ['-xJf', tarball, '-C', staging]);
    const top = await readdir(staging);
    if (top.length !== 1) throw new Error(`${file} holds ${top.length} top-level entries, not one kernel tree`);
    await rm(done, { force: true });
    await rm(dir, { recursive: true, force: true });
    await rename(path.join(staging, top[0]!), dir);
    await writeFile(done, `${identity}\n`);
  } catch (error) {
    throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `Could not unpack ${file} into ${root}.`, {
      advice: 'Check free disk space (the tree takes ~1.5 GB) and that the file is a kernel source tarball.',
      cause: error,
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Whether the marker says the tree is this tarball. A marker from before identities (it holds the
 * tarball's path) counts, and is rewritten, when the tarball has not changed since it was written.
 */
async function unpackedFrom(marker: string, tarball: string, identity: string): Promise<boolean> {
  const text = await readFile(marker, 'utf8').then((t) => t.trim(), () => undefined);
  if (text === identity) return true;
  if (text !== tarball) return false;
  const [written, source] = await Promise.all([stat(marker, { bigint: true }), stat(tarball, { bigint: true })]);
  if (source.ctimeNs >= written.mtimeNs) return false;
  await writeFileAtomic(marker, `${identity}\n`);
  return true;
}

/**
 * "debian <package> <version> sha256:<hash>", or "tarball <file> sha256:<hash>" when no package owns
 * it. Hashing 138 MB takes ~1 s, so the answer is remembered with the tarball's size and times.
 */
async function tarballIdentity(tarball: string, memo: string): Promise<string> {
  const info = await stat(tarball, { bigint: true });
  // As `stat -c '%s %.9Y %.9Z'` prints them (src/remote/identity.ts shares this file on one machine).
  const seen = `${info.size} ${seconds(info.mtimeNs)} ${seconds(info.ctimeNs)}`;
  const [line, known] = (await readFile(memo, 'utf8').catch(() => '')).split('\n');
  if (line === seen && known && TARBALL_IDENTITY.test(known)) return known;
  const [sum, owner] = await Promise.all([sha256File(tarball), debianPackage(tarball)]);
  const identity = owner ? `debian ${owner} sha256:${sum}` : `tarball ${path.basename(tarball)} sha256:${sum}`;
  await writeFileAtomic(memo, `${seen}\n${identity}\n`);
  return identity;
}

const seconds = (ns: bigint) => `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;

/** "<package> <version>" of the installed package that owns `file`; '' without dpkg or an owner. */
async function debianPackage(file: string): Promise<string> {
  const owners = await execa('dpkg-query', ['-S', file], { reject: false });
  const line = owners.exitCode === 0 ? owners.stdout.split('\n').find((l) => !l.startsWith('diversion') && l.includes(`: ${file}`)) : undefined;
  const pkg = line?.replace(/[:,] .*$/, '');
  if (!pkg) return '';
  const version = await execa('dpkg-query', ['-W', '-f=${Version}', pkg], { reject: false });
  return version.exitCode === 0 && version.stdout.trim() ? `${pkg} ${version.stdout.trim()}` : '';
}

async function makeStaging(root: string): Promise<string> {
  const staging = path.join(root, `.unpack-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  return staging;
}
