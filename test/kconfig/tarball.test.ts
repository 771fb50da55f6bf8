// Unpacking a kernel tarball into the cache with other tinyx processes about (real processes, a tiny tarball):
// one unpacks while the others wait and then use its tree, and a tree a live process uses is never deleted.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { fakeTarball, fakeTree } from './faketree.js';

const REPO = path.resolve(__dirname, '../..');
/** The processes run the built tinyx (npm run build); these are its files the tests are about. */
const BUILT = ['profile/kernel-source', 'kconfig/source', 'kconfig/tarball', 'kconfig/tree-lock'];
/** A profile that names no kernel package: the newest tarball of the dir is used. */
const NEWEST = { name: 'newest', kernel: {} };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tinyx-tarball-'));
  for (const name of BUILT) {
    const [built, source] = await Promise.all([stat(path.join(REPO, 'dist', `${name}.js`)), stat(path.join(REPO, 'src', `${name}.ts`))]);
    expect(built.mtimeMs, `dist/${name}.js is older than src/${name}.ts: run npm run build`).toBeGreaterThanOrEqual(source.mtimeMs);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Setup {
  tarballDir: string;
  tree: string;
  cache: string;
  /** Each line is one tar run (the processes' tar: the real one, 2 s late, so that their unpacks would overlap). */
  tarLog: string;
  bin: string;
}

async function setUp(name: string): Promise<Setup> {
  const dir = path.join(root, name);
  const tarballDir = path.join(dir, 'usr-src');
  const tree = await fakeTree(dir, 'work');
  await fakeTarball(tarballDir, tree);
  const bin = path.join(dir, 'bin');
  const tarLog = path.join(dir, 'tar.log');
  await mkdir(bin);
  await writeFile(path.join(bin, 'tar'), `#!/bin/sh\necho "$$ $*" >> '${tarLog}'\nsleep 2\nexec /usr/bin/tar "$@"\n`);
  await chmod(path.join(bin, 'tar'), 0o755);
  return { tarballDir, tree, cache: path.join(dir, 'cache'), tarLog, bin };
}

/** The kernel tree as a tinyx process resolves it (TINYX_CACHE: the private cache); it prints the result and stays alive until its stdin closes. */
interface Resolver {
  process: ResultPromise<{ stdin: 'pipe' }>;
  result: Promise<{ dir?: string; key?: string; inode?: number; code?: string }>;
  exit(): Promise<void>;
}

function resolver(setup: Setup, kernelSrc?: string): Resolver {
  const child = execa('node', ['--input-type=module', '-e', `
    const { resolveKernelSource } = await import(${JSON.stringify(path.join(REPO, 'dist/profile/kernel-source.js'))});
    const { statSync } = await import('node:fs');
    const found = await resolveKernelSource({ tarballDir: ${JSON.stringify(setup.tarballDir)}, profile: ${JSON.stringify(NEWEST)}${kernelSrc ? `, kernelSrc: ${JSON.stringify(kernelSrc)}` : ''} })
      .then((s) => ({ dir: s.dir, key: s.key, inode: statSync(s.dir + '/Makefile').ino }), (e) => ({ code: e.code ?? String(e) }));
    process.stdout.write(JSON.stringify(found) + '\\n');
    process.stdin.resume();
  `], { stdin: 'pipe', env: { TINYX_CACHE: setup.cache, PATH: `${setup.bin}:${process.env.PATH}` } });
  const result = new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(String(data)));
    child.catch(reject);
  }).then((line) => JSON.parse(line) as Awaited<Resolver['result']>);
  return { process: child, result, exit: async () => { child.stdin.end(); await child; } };
}

const tarRuns = async (setup: Setup) => (await readFile(setup.tarLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

describe('unpacking a kernel tarball beside other tinyx processes', () => {
  it('unpacks once when two processes start at once: the second waits for the first and uses its tree', async () => {
    const setup = await setUp('together');
    const [a, b] = [resolver(setup), resolver(setup)];
    const [first, second] = await Promise.all([a.result, b.result]);
    await Promise.all([a.exit(), b.exit()]);
    expect(await tarRuns(setup)).toBe(1);
    expect(first).toMatchObject({ dir: path.join(setup.cache, 'kernel', 'linux-source-9.9') });
    // The same tree, not one unpacked over the other: the same key, the same Makefile (inode).
    expect(second).toEqual(first);
    expect((await stat(path.join(first.dir!, 'Makefile'))).ino).toBe(first.inode);
    expect(await readFile(path.join(first.dir!, 'init', 'main.c'), 'utf8')).toContain('return 0');
    expect((await stat(path.join(first.dir!, 'scripts', 'kconfig'))).isDirectory()).toBe(true);
  });

  it('leaves a tree alone while another live process uses it, however it reached it, and unpacks the new tarball once it has ended', async () => {
    const setup = await setUp('in-use');
    const resolve = () => resolveKernelSource({ tarballDir: setup.tarballDir, cache: setup.cache, profile: NEWEST });
    const user = resolver(setup);
    const before = await user.result;
    // The package is upgraded while that run builds from the tree.
    await writeFile(path.join(setup.tree, 'init', 'main.c'), 'int start_kernel(void) { return 4; }\n');
    await fakeTarball(setup.tarballDir, setup.tree);
    const refused = await resolve().catch((e: unknown) => e);
    expect(isTinyxError(refused, 'TINYX_KERNEL_SRC_BUSY'), String(refused)).toBe(true);
    expect((refused as Error).message).toContain(`tinyx (pid ${user.process.pid}) is using the tree there`);
    expect((refused as { advice: string }).advice).toContain(`--kernel-src ${before.dir}`);
    expect((await stat(path.join(before.dir!, 'Makefile'))).ino).toBe(before.inode);
    expect(await readFile(path.join(before.dir!, 'init', 'main.c'), 'utf8')).toContain('return 0');
    await user.exit();
    // A run given the unpacked tree itself (--kernel-src DIR) holds it just the same.
    const byPath = resolver(setup, before.dir);
    expect(await byPath.result).toMatchObject({ dir: before.dir, key: before.key });
    await expect(resolve()).rejects.toMatchObject({ code: 'TINYX_KERNEL_SRC_BUSY' });
    await byPath.exit();
    const after = await resolve();
    expect(after.dir).toBe(before.dir);
    expect(after.key).not.toBe(before.key);
    expect(await readFile(path.join(after.dir, 'init', 'main.c'), 'utf8')).toContain('return 4');
  });
});
