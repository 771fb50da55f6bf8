// Test helper: tiny stand-in kernel trees (enough for checkTree and kernelVersion), as dirs, git checkouts or tarballs.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** `<parent>/<name>` with a Makefile for <version>.0 (9.9 unless given), an empty scripts/kconfig/ and a couple of files. */
export async function fakeTree(parent: string, name = 'linux-fake', version = '9.9'): Promise<string> {
  const [major, minor] = version.split('.');
  const dir = path.join(parent, name);
  await mkdir(path.join(dir, 'scripts', 'kconfig'), { recursive: true });
  await mkdir(path.join(dir, 'init'), { recursive: true });
  await writeFile(path.join(dir, 'Makefile'), `VERSION = ${major}\nPATCHLEVEL = ${minor}\nSUBLEVEL = 0\nEXTRAVERSION =\n`);
  await writeFile(path.join(dir, 'init', 'main.c'), 'int start_kernel(void) { return 0; }\n');
  return dir;
}

/** Runs git in `dir` with a fixed author and no user or system config. */
export function git(dir: string, ...args: string[]) {
  return execa('git', ['-C', dir, '-c', 'user.name=tinyx', '-c', 'user.email=tinyx@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

/** A git checkout of fakeTree() with one commit. */
export async function fakeGitTree(parent: string, name = 'linux-git'): Promise<string> {
  const dir = await fakeTree(parent, name);
  await writeFile(path.join(dir, '.gitignore'), '*.o\n');
  await git(dir, 'init', '-q');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** `<tarballDir>/linux-source-<version>.tar.xz` holding `tree` as linux-source-<version>/ (as Debian's does). */
export async function fakeTarball(tarballDir: string, tree: string, version = '9.9'): Promise<string> {
  await mkdir(tarballDir, { recursive: true });
  const tarball = path.join(tarballDir, `linux-source-${version}.tar.xz`);
  await execa('tar', ['-cJf', tarball, '-C', path.dirname(tree), '--transform', `s,^${path.basename(tree)},linux-source-${version},`, path.basename(tree)]);
  return tarball;
}
