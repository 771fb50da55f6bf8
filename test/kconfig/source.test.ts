import { cp, mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelVersion } from '../../src/kconfig/source.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { isTinyxError } from '../../src/errors.js';
import { sha256File } from '../../src/util/hash.js';
import { fakeGitTree, fakeTarball, fakeTree, git } from './faketree.js';

/** A profile that names no kernel package: the newest tarball of the dir is used. */
const NEWEST = { name: 'newest', kernel: {} };

const temps: string[] = [];
const temp = async () => {
  temps.push(await mkdtemp(path.join(tmpdir(), 'tinyx-src-')));
  return temps.at(-1)!;
};
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('kernel source', () => {
  it('reads the version from the top Makefile, with an empty EXTRAVERSION', async () => {
    const dir = await temp();
    await writeFile(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\nNAME = Curry Ramen Hotdog\n');
    expect(await kernelVersion(dir)).toBe('6.1.192');
    await writeFile(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n');
    expect(await kernelVersion(dir)).toBe('6.12.0-rc3');
  });

  it('refuses a directory that is not a kernel tree', async () => {
    const dir = await temp();
    await mkdir(path.join(dir, 'scripts'));
    const error = await resolveKernelSource({ kernelSrc: dir }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_KERNEL_SRC_NOT_FOUND')).toBe(true);
  });

  it('finds the default profile\'s Debian linux-source tree (unpacking it once), named by its package version and sha256', async () => {
    const source = await resolveKernelSource();
    expect(source.package).toBe('linux-source-6.1');
    expect(source.version).toMatch(/^6\.1\.\d+$/);
    expect(source.key).toMatch(/^6\.1\.\d+-[0-9a-f]{8}$/);
    expect(source.identity).toMatch(/^debian linux-source-6\.1 6\.1\.\d+-\S+ sha256:[0-9a-f]{64}$/);
    expect((await readFile(`${source.dir}.unpacked`, 'utf8')).trim()).toBe(source.identity);
  }, 300_000);
});

describe('kernel source identity: --kernel-src trees', () => {
  it('keys a plain tree by its files\' content: same content, same key; a changed file, a new key', async () => {
    const cache = await temp();
    const parent = await temp();
    const dir = await fakeTree(parent);
    await symlink('main.c', path.join(dir, 'init', 'alias.c'));
    const first = await resolveKernelSource({ kernelSrc: dir, cache });
    expect(first.version).toBe('9.9.0');
    expect(first.identity).toMatch(/^tree sha256:[0-9a-f]{64}$/);
    expect(first.key).toBe(`9.9.0-${first.key.slice(-8)}`);
    expect(await resolveKernelSource({ kernelSrc: dir, cache })).toEqual(first);
    // The key is the content's, not the path's: a copy elsewhere shares it.
    const copy = path.join(parent, 'copy');
    await cp(dir, copy, { recursive: true, verbatimSymlinks: true });
    expect((await resolveKernelSource({ kernelSrc: copy, cache })).key).toBe(first.key);
    // Touched but not changed: the fingerprint differs, the content hash does not.
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(dir, 'init', 'main.c'), later, later);
    expect((await resolveKernelSource({ kernelSrc: dir, cache })).key).toBe(first.key);
    await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 1; }\n');
    const patched = await resolveKernelSource({ kernelSrc: dir, cache });
    expect(patched.key).not.toBe(first.key);
    await rm(path.join(dir, 'init', 'alias.c'));
    await symlink('other.c', path.join(dir, 'init', 'alias.c'));
    expect((await resolveKernelSource({ kernelSrc: dir, cache })).key).not.toBe(patched.key);
  });

  it('remembers a tree\'s content hash by its fingerprint (paths, sizes, mtimes), so unchanged trees are not read again', async () => {
    const cache = await temp();
    const dir = await fakeTree(await temp());
    const first = await resolveKernelSource({ kernelSrc: dir, cache });
    const memoDir = path.join(cache, 'kernel', 'tree-hashes');
    const [memo] = await readdir(memoDir);
    const [fingerprint, hash] = (await readFile(path.join(memoDir, memo!), 'utf8')).trim().split(' ');
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(`tree sha256:${hash}`).toBe(first.identity);
    // A remembered answer is used as is (here a planted one).
    await writeFile(path.join(memoDir, memo!), `${fingerprint} ${'f'.repeat(64)}\n`);
    expect((await resolveKernelSource({ kernelSrc: dir, cache })).identity).toBe(`tree sha256:${'f'.repeat(64)}`);
  });

  it('keys a git checkout by its commit and its uncommitted changes (tracked edits, untracked files)', async () => {
    const cache = await temp();
    const dir = await fakeGitTree(await temp());
    const head = async () => (await git(dir, 'rev-parse', 'HEAD')).stdout.trim();
    const key = async () => resolveKernelSource({ kernelSrc: dir, cache });
    const clean = await key();
    expect(clean.identity).toBe(`git ${await head()}`);
    expect((await key()).key).toBe(clean.key);
    // Built objects are ignored files: they do not change the tree.
    await writeFile(path.join(dir, 'init', 'main.o'), 'object');
    expect((await key()).key).toBe(clean.key);
    await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 2; }\n');
    const edited = await key();
    expect(edited.identity).toMatch(new RegExp(`^git ${await head()} \\+dirty:[0-9a-f]{64}$`));
    await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 3; }\n');
    const edited2 = await key();
    expect(edited2.key).not.toBe(edited.key);
    await git(dir, 'checkout', '-q', '--', 'init/main.c');
    expect((await key()).key).toBe(clean.key);
    await writeFile(path.join(dir, 'init', 'new.c'), 'int x;\n');
    const untracked = await key();
    expect(untracked.key).not.toBe(clean.key);
    await writeFile(path.join(dir, 'init', 'new.c'), 'int y;\n');
    expect((await key()).key).not.toBe(untracked.key);
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'more');
    const committed = await key();
    expect(committed.identity).toBe(`git ${await head()}`);
    expect([clean.key, edited.key, edited2.key, untracked.key]).not.toContain(committed.key);
  });

  it('hashes the files of a tree that sits inside some other git repository', async () => {
    const repo = await temp();
    await git(repo, 'init', '-q');
    await git(repo, 'commit', '-q', '--allow-empty', '-m', 'outer');
    const dir = await fakeTree(repo, 'vendor-linux');
    expect((await resolveKernelSource({ kernelSrc: dir, cache: await temp() })).identity).toMatch(/^tree sha256:/);
  });
});

describe('kernel source identity: Debian\'s tarball', () => {
  async function setUp() {
    const root = await temp();
    const tarballDir = path.join(root, 'usr-src');
    const cache = path.join(root, 'cache');
    const tree = await fakeTree(root, 'work');
    const tarball = await fakeTarball(tarballDir, tree);
    const resolve = () => resolveKernelSource({ tarballDir, cache, profile: NEWEST });
    return { root, tarballDir, cache, tree, tarball, resolve, marker: path.join(cache, 'kernel', 'linux-source-9.9.unpacked') };
  }

  it('unpacks once; a replaced tarball (same name, new content) gets a new key and is unpacked again in the same place', async () => {
    const { tree, tarball, tarballDir, resolve, marker } = await setUp();
    const first = await resolve();
    // No package owns this tarball: the identity says so, and still carries its sha256.
    expect(first.identity).toBe(`tarball linux-source-9.9.tar.xz sha256:${await sha256File(tarball)}`);
    expect(first.dir.endsWith(path.join('kernel', 'linux-source-9.9'))).toBe(true);
    expect(await readFile(path.join(first.dir, 'init', 'main.c'), 'utf8')).toContain('return 0');
    expect((await readFile(marker, 'utf8')).trim()).toBe(first.identity);
    // Unchanged: nothing is unpacked again (a file left in the tree survives; the marker is not rewritten).
    await writeFile(path.join(first.dir, 'sentinel'), '');
    const markedAt = (await stat(marker)).mtimeMs;
    expect(await resolve()).toEqual(first);
    expect((await stat(marker)).mtimeMs).toBe(markedAt);
    expect(await readFile(path.join(first.dir, 'sentinel'), 'utf8')).toBe('');
    // The upgrade: same file name, other content.
    await writeFile(path.join(tree, 'init', 'main.c'), 'int start_kernel(void) { return 4; }\n');
    await fakeTarball(tarballDir, tree);
    const upgraded = await resolve();
    expect(upgraded.dir).toBe(first.dir);
    expect(upgraded.key).not.toBe(first.key);
    expect(upgraded.identity).toBe(`tarball linux-source-9.9.tar.xz sha256:${await sha256File(tarball)}`);
    expect(await readFile(path.join(upgraded.dir, 'init', 'main.c'), 'utf8')).toContain('return 4');
    await expect(stat(path.join(upgraded.dir, 'sentinel'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readFile(marker, 'utf8')).trim()).toBe(upgraded.identity);
  });

  it('hashes the tarball once: later runs take the identity remembered with its size and times', async () => {
    const { cache, resolve } = await setUp();
    const first = await resolve();
    const memo = path.join(cache, 'kernel', 'linux-source-9.9.tar.xz.identity');
    const [seen, identity] = (await readFile(memo, 'utf8')).split('\n');
    expect(identity).toBe(first.identity);
    expect(seen).toMatch(/^\d+ \d+\.\d{9} \d+\.\d{9}$/);
    const planted = `tarball linux-source-9.9.tar.xz sha256:${'e'.repeat(64)}`;
    await writeFile(memo, `${seen}\n${planted}\n`);
    expect((await resolve()).identity).toBe(planted);
  });

  it('takes over a marker from before identities (the tarball\'s path) when the tarball is older than it, else unpacks again', async () => {
    const { tarball, resolve, marker } = await setUp();
    const first = await resolve();
    await writeFile(path.join(first.dir, 'sentinel'), '');
    await writeFile(marker, `${tarball}\n`);
    expect(await resolve()).toEqual(first);
    expect((await readFile(marker, 'utf8')).trim()).toBe(first.identity);
    expect(await readFile(path.join(first.dir, 'sentinel'), 'utf8')).toBe('');
    await writeFile(marker, `${tarball}\n`);
    await utimes(marker, new Date(0), new Date(0));
    expect(await resolve()).toEqual(first);
    await expect(stat(path.join(first.dir, 'sentinel'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives the unpacked tree its tarball\'s identity when it is passed as --kernel-src', async () => {
    const { cache, resolve } = await setUp();
    const first = await resolve();
    const given = await resolveKernelSource({ kernelSrc: first.dir, cache: await temp() });
    expect({ ...given, chosenBy: undefined }).toEqual({ ...first, chosenBy: undefined, package: undefined });
    expect(given.chosenBy).toBe(`--kernel-src ${first.dir}`);
  });

  it('says what to do when there is no tarball', async () => {
    // (the newest in an empty dir: nothing to name)
    const root = await temp();
    const error = await resolveKernelSource({ tarballDir: path.join(root, 'none'), cache: root, profile: NEWEST }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_KERNEL_SRC_NOT_FOUND')).toBe(true);
  });
});

describe('which kernel a run uses: --kernel-src, else the profile\'s kernel.source, else the newest', () => {
  /** /usr/src with linux-source-9.9 and linux-source-9.10, as after installing a newer package. */
  async function twoPackages() {
    const root = await temp();
    const tarballDir = path.join(root, 'usr-src');
    await fakeTarball(tarballDir, await fakeTree(root, 'old', '9.9'), '9.9');
    await fakeTarball(tarballDir, await fakeTree(root, 'new', '9.10'), '9.10');
    const profile = (source?: string) => ({ name: 'p', kernel: source === undefined ? {} : { source } });
    return { tarballDir, cache: path.join(root, 'cache'), profile };
  }

  it('keeps the profile\'s package when a newer one is installed, and says so', async () => {
    const { tarballDir, cache, profile } = await twoPackages();
    const source = await resolveKernelSource({ tarballDir, cache, profile: profile('linux-source-9.9') });
    expect(source.version).toBe('9.9.0');
    expect(source.package).toBe('linux-source-9.9');
    expect(source.chosenBy).toBe('profile p (kernel.source)');
    expect(source.notes).toEqual(['linux-source-9.10 is installed too; this run uses linux-source-9.9, as profile p names it (kernel.source); --kernel-src linux-source-9.10 uses the newer one']);
  });

  it('takes the newest without a kernel.source, and says which and how to fix it', async () => {
    const { tarballDir, cache, profile } = await twoPackages();
    const source = await resolveKernelSource({ tarballDir, cache, profile: profile() });
    expect(source.version).toBe('9.10.0');
    expect(source.chosenBy).toBe(`the newest in ${tarballDir}`);
    expect(source.notes).toHaveLength(1);
    expect(source.notes[0]).toContain('the newest of linux-source-9.9, linux-source-9.10');
  });

  it('takes a package name or a tarball given as --kernel-src, whatever the profile names', async () => {
    const { tarballDir, cache, profile } = await twoPackages();
    const byName = await resolveKernelSource({ tarballDir, cache, kernelSrc: 'linux-source-9.10', profile: profile('linux-source-9.9') });
    expect([byName.version, byName.chosenBy, byName.notes]).toEqual(['9.10.0', '--kernel-src linux-source-9.10', []]);
    const file = path.join(tarballDir, 'linux-source-9.9.tar.xz');
    const byFile = await resolveKernelSource({ tarballDir, cache: await temp(), kernelSrc: file, profile: profile('linux-source-9.10') });
    expect(byFile.version).toBe('9.9.0');
    expect(byFile.identity).toBe(`tarball linux-source-9.9.tar.xz sha256:${await sha256File(file)}`);
    expect(byFile.dir.endsWith(path.join('kernel', 'linux-source-9.9'))).toBe(true);
  });

  it('refuses a package that is not installed, before unpacking anything, naming the apt-get and the one that is', async () => {
    const { tarballDir, cache, profile } = await twoPackages();
    for (const options of [{ profile: profile('linux-source-9.8') }, { kernelSrc: 'linux-source-9.8' }]) {
      const error = await resolveKernelSource({ tarballDir, cache, ...options }).catch((e: unknown) => e);
      expect(isTinyxError(error, 'TINYX_KERNEL_SRC_NOT_FOUND')).toBe(true);
      expect((error as Error).message).toContain('linux-source-9.8 is not installed');
      expect((error as { advice?: string }).advice).toContain('apt-get install linux-source-9.8');
      expect((error as { advice?: string }).advice).toContain('--kernel-src linux-source-9.10');
    }
    await expect(readdir(path.join(cache, 'kernel'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
