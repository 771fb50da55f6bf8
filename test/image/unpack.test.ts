// The unpacked tree is shared through the cache: one process unpacks (a lock), others wait and read it; nothing half-made is left.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, openImage, type UnpackedImage } from '../../src/image/index.js';
import { processIdentity } from '../../src/util/proc.js';
import { buildAppLayout } from './build-images.js';

const src = path.resolve(__dirname, '../../src');
let dir: string;
let layout: string;
let cacheDir = 0;
const freshCache = () => path.join(dir, `cache-${cacheDir++}`);
const treeDir = async (cacheRoot: string) => path.join(cacheRoot, 'images', (await inspectImage(layout, { cacheRoot, tag: 'app' })).configDigest.replace(':', '-'));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-unpack-'));
  layout = await buildAppLayout(path.join(dir, 'app'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** src/image and what it imports, as plain ESM under `out` (with node_modules beside), for child processes to run. */
async function transpiled(out: string): Promise<string> {
  const files = [...(await readdir(path.join(src, 'image'))).map((f) => `image/${f}`), 'errors.ts', 'util/fsx.ts', 'util/proc.ts', 'util/paths.ts'];
  for (const file of files.filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(await readFile(path.join(src, file), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    await mkdir(path.dirname(path.join(out, file)), { recursive: true });
    await writeFile(path.join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(path.join(out, 'package.json'), '{"type":"module"}');
  await symlink(path.resolve(src, '../node_modules'), path.join(out, 'node_modules'));
  const script = path.join(out, 'open.mjs');
  // Says "ready" once loaded, and opens the image when told to on stdin: both children start unpacking together.
  await writeFile(script, [
    "import { once } from 'node:events';",
    "import { openImage } from './image/index.js';",
    "console.log('ready');",
    "await once(process.stdin, 'data');",
    "const image = await openImage(process.argv[2], { cacheRoot: process.argv[3], tag: 'app' });",
    'console.log(JSON.stringify({ cached: image.cached, dir: image.dir }));',
  ].join('\n'));
  return script;
}

describe('unpackImage cache', () => {
  it('lets two processes open the same image at once: one unpacks, the other waits and reads its tree', async () => {
    const script = await transpiled(path.join(dir, 'js'));
    const cacheRoot = freshCache();
    const children = [0, 1].map(() => execa('node', [script, layout, cacheRoot], { lines: true }));
    await Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
    for (const child of children) child.stdin.end('go\n');
    const results = (await Promise.all(children)).map((r) => JSON.parse(r.stdout.at(-1)!) as Pick<UnpackedImage, 'cached' | 'dir'>);
    expect(results.map((r) => r.cached).sort()).toEqual([false, true]);
    expect(results[0]!.dir).toBe(results[1]!.dir);
    expect(await readdir(path.join(cacheRoot, 'images'))).toEqual([path.basename(results[0]!.dir)]);
    expect(await readFile(path.join(results[0]!.dir, 'rootfs/etc/motd'), 'utf8')).toBe('welcome\n');
  });

  it('waits while a live process holds the unpack lock, and takes the lock over once that process is gone', async () => {
    const cacheRoot = freshCache();
    const tree = await treeDir(cacheRoot);
    const holder = spawn('sleep', ['60']);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    await mkdir(path.dirname(tree), { recursive: true });
    await writeFile(`${tree}.lock`, JSON.stringify(await processIdentity(holder.pid!)));
    const said: string[] = [];
    let settled = false;
    const opened = openImage(layout, { cacheRoot, tag: 'app', say: (line) => said.push(line) }).finally(() => (settled = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(settled).toBe(false);
      expect(said).toEqual([expect.stringContaining('waiting for another tinyx to unpack sha256:')]);
      expect(await readdir(path.dirname(tree))).toEqual([path.basename(`${tree}.lock`)]);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    expect(await opened).toMatchObject({ cached: false, dir: tree });
    expect(await readdir(path.dirname(tree))).toEqual([path.basename(tree)]);
  });

  it('removes what an unpacker that died left in its staging directory', async () => {
    const cacheRoot = freshCache();
    const tree = await treeDir(cacheRoot);
    const dead = (await execa('sh', ['-c', 'echo $$'])).stdout.trim();
    await mkdir(path.join(`${tree}.unpack-${dead}`, 'rootfs'), { recursive: true });
    await writeFile(path.join(`${tree}.unpack-${dead}`, 'rootfs/half-written'), 'x');
    expect((await openImage(layout, { cacheRoot, tag: 'app' })).cached).toBe(false);
    expect(await readdir(path.dirname(tree))).toEqual([path.basename(tree)]);
  });
});
