// A worker's kernel tree over a real loopback sshd: the shell side names every kind of tree exactly as
// this machine does (same identity, same key), so a worker on this machine shares its kernels.
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { connectWorker } from '../../src/remote/connect.js';
import type { SshConnection } from '../../src/remote/connection.js';
import { resolveRemoteSource } from '../../src/remote/source.js';
import { exists, hostileName } from '../helpers/hostile.js';
import { fakeGitTree, fakeTarball, fakeTree } from '../kconfig/faketree.js';
import { startSshd, type Sshd } from './sshd.js';

/** A profile that names no kernel package: the newest tarball of the dir is used. */
const NEWEST = { name: 'newest', kernel: {} };

const temps: string[] = [];
const temp = async () => {
  temps.push(await mkdtemp(path.join(tmpdir(), 'tinyx-rsrc-')));
  return temps.at(-1)!;
};

let sshd: Sshd;
let session: SshConnection;
beforeAll(async () => {
  sshd = await startSshd();
  session = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts] });
});
afterAll(async () => {
  session?.close();
  await sshd?.stop();
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** What a tree is, as this machine resolves it (without how it was chosen, which the worker is told). */
async function localTree(options: Parameters<typeof resolveKernelSource>[0]) {
  const { dir, version, key, identity } = await resolveKernelSource(options);
  return { dir, version, key, identity };
}

/** The tree as this machine and as the worker see it, each with a cache of its own. */
async function both(kernelSrc: string) {
  const local = await localTree({ kernelSrc, cache: await temp() });
  const remote = await resolveRemoteSource(session, { kernelSrc, cacheRoot: await temp() });
  return { local, remote };
}

describe('resolveRemoteSource: the same identity as resolveKernelSource', () => {
  it('for a plain tree (files, symlinks, odd names), and again once a file changed', async () => {
    const dir = await fakeTree(await temp());
    await symlink('main.c', path.join(dir, 'init', 'alias.c'));
    await symlink('../init', path.join(dir, 'scripts', 'init-dir'));
    await writeFile(path.join(dir, 'init', 'a name with spaces.c'), 'int z;\n');
    const first = await both(dir);
    expect(first.local.identity).toMatch(/^tree sha256:/);
    expect(first.remote).toEqual(first.local);
    await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 5; }\n');
    const second = await both(dir);
    expect(second.remote).toEqual(second.local);
    expect(second.local.key).not.toBe(first.local.key);
  });

  it('shares the remembered content hash with this machine when both use one cache', async () => {
    const dir = await fakeTree(await temp());
    const cache = await temp();
    const local = await resolveKernelSource({ kernelSrc: dir, cache });
    const memoDir = path.join(cache, 'kernel', 'tree-hashes');
    const [memo] = await readdir(memoDir);
    const [fingerprint] = (await readFile(path.join(memoDir, memo!), 'utf8')).split(' ');
    await writeFile(path.join(memoDir, memo!), `${fingerprint} ${'d'.repeat(64)}\n`);
    expect((await resolveRemoteSource(session, { kernelSrc: dir, cacheRoot: cache })).identity).toBe(`tree sha256:${'d'.repeat(64)}`);
    expect(local.identity).not.toBe(`tree sha256:${'d'.repeat(64)}`);
  });

  it('for a git checkout: clean, with a tracked edit, with an untracked file', async () => {
    const dir = await fakeGitTree(await temp());
    const clean = await both(dir);
    expect(clean.local.identity).toMatch(/^git [0-9a-f]{40}$/);
    expect(clean.remote).toEqual(clean.local);
    await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 6; }\n');
    const edited = await both(dir);
    expect(edited.local.identity).toMatch(/\+dirty:/);
    expect(edited.remote).toEqual(edited.local);
    await writeFile(path.join(dir, 'init', 'new file.c'), 'int w;\n');
    const untracked = await both(dir);
    expect(untracked.remote).toEqual(untracked.local);
    expect(untracked.local.key).not.toBe(edited.local.key);
    // What sha256sum cannot read (a dangling symlink) has no line on either side.
    await symlink('nowhere', path.join(dir, 'init', 'dangling'));
    const dangling = await both(dir);
    expect(dangling.remote).toEqual(dangling.local);
  });

  it('for Debian\'s tarball: unpacked with the same marker and key; a replaced tarball is unpacked again', async () => {
    const root = await temp();
    const tarballDir = path.join(root, 'usr-src');
    const tree = await fakeTree(root, 'work');
    await fakeTarball(tarballDir, tree);
    const cacheRoot = path.join(root, 'worker-cache');
    const local = await localTree({ tarballDir, cache: path.join(root, 'cache'), profile: NEWEST });
    const remote = await resolveRemoteSource(session, { tarballDir, cacheRoot });
    expect(remote).toEqual({ ...local, dir: path.join(cacheRoot, 'kernel', 'linux-source-9.9') });
    const marker = `${remote.dir}.unpacked`;
    expect((await readFile(marker, 'utf8')).trim()).toBe(local.identity);
    expect((await readFile(path.join(cacheRoot, 'kernel', 'linux-source-9.9.tar.xz.identity'), 'utf8')).split('\n')[1]).toBe(local.identity);
    // Unchanged: not unpacked again. A marker from before identities is taken over.
    await writeFile(path.join(remote.dir, 'sentinel'), '');
    await writeFile(marker, `${path.join(tarballDir, 'linux-source-9.9.tar.xz')}\n`);
    expect(await resolveRemoteSource(session, { tarballDir, cacheRoot })).toEqual(remote);
    expect((await readFile(marker, 'utf8')).trim()).toBe(local.identity);
    expect(await readFile(path.join(remote.dir, 'sentinel'), 'utf8')).toBe('');
    // The worker's tree passed as kernelSrc is its tarball.
    expect(await resolveRemoteSource(session, { kernelSrc: remote.dir, cacheRoot: await temp() })).toEqual(remote);
    // Upgraded: a new key and a fresh tree in the same place.
    await writeFile(path.join(tree, 'init', 'main.c'), 'int start_kernel(void) { return 7; }\n');
    await fakeTarball(tarballDir, tree);
    const upgraded = await resolveRemoteSource(session, { tarballDir, cacheRoot });
    expect(upgraded.dir).toBe(remote.dir);
    expect(upgraded.key).not.toBe(remote.key);
    expect(upgraded.key).toBe((await resolveKernelSource({ tarballDir, cache: path.join(root, 'cache'), profile: NEWEST })).key);
    expect(await readFile(path.join(upgraded.dir, 'init', 'main.c'), 'utf8')).toContain('return 7');
    await expect(stat(path.join(upgraded.dir, 'sentinel'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('unpacks the package the run\'s own tree came from, not the newest, when the worker has both', async () => {
    const root = await temp();
    const tarballDir = path.join(root, 'usr-src');
    await fakeTarball(tarballDir, await fakeTree(root, 'old', '9.9'), '9.9');
    await fakeTarball(tarballDir, await fakeTree(root, 'new', '9.10'), '9.10');
    expect((await resolveRemoteSource(session, { tarballDir, cacheRoot: await temp() })).version).toBe('9.10.0');
    const same = await resolveRemoteSource(session, { tarballDir, cacheRoot: await temp(), package: 'linux-source-9.9' });
    expect(same.version).toBe('9.9.0');
    expect(same.key).toBe((await localTree({ tarballDir, cache: await temp(), kernelSrc: 'linux-source-9.9' })).key);
    await expect(resolveRemoteSource(session, { tarballDir, cacheRoot: await temp(), package: 'linux-source-9.8' })).rejects.toMatchObject({ code: 'TINYX_KERNEL_SRC_NOT_FOUND' });
  }, 60_000);

  it('for a tree at a path of quotes, spaces, a newline and a trailing space: the same, and nothing in it runs', async () => {
    const root = await temp();
    const marker = path.join(root, 'MARKER');
    const { local, remote } = await both(await fakeTree(root, hostileName(marker)));
    expect(remote).toEqual(local);
    expect(await exists(marker)).toBe(false);
  });

  it('unpacks a package named with quotes, spaces and backticks, and runs nothing in the name', async () => {
    const root = await temp();
    const tarballDir = path.join(root, 'usr-src');
    // A file name holds no slash: the marker lands in the worker shell's working directory.
    const marker = `tinyx-marker-${path.basename(root)}`;
    const cwd = (await session.run('pwd')).replace(/\n$/, '');
    const version = `9.9 $(touch ${marker}) \`touch ${marker}\` 'sq' "dq" $HOME`;
    await fakeTarball(tarballDir, await fakeTree(root, 'work'), version);
    try {
      const cacheRoot = await temp();
      const remote = await resolveRemoteSource(session, { tarballDir, cacheRoot, package: `linux-source-${version}` });
      expect(remote.dir).toBe(path.join(cacheRoot, 'kernel', `linux-source-${version}`));
      expect(remote.version).toBe('9.9.0');
      expect(await readFile(path.join(remote.dir, 'init', 'main.c'), 'utf8')).toContain('start_kernel');
      expect(await exists(path.join(cwd, marker))).toBe(false);
    } finally {
      await rm(path.join(cwd, marker), { force: true });
    }
  }, 60_000);
});
