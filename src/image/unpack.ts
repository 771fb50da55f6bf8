// Unpacks an image's layers, in order, into the cache (<cache>/images/<alg>-<hex>), once per config digest, shared by concurrent runs.
import { lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exists, tryLockFile, writeFileAtomic } from '../util/fsx.js';
import type { ImageConfig } from './config.js';
import type { ImageFormat, ImageSource } from './inspect.js';
import { applyLayer } from './layer.js';
import { layerLabel } from './layers.js';
import { Tree, writeTree } from './tree.js';

export interface ImageSizes {
  /** The layer blobs as stored in the image (compressed, except in `docker save` archives). */
  layers: number;
  /** The regular files of the unpacked tree, each hard-linked file counted once. */
  unpacked: number;
}

export interface UnpackedImage {
  /** <cache>/images/sha256-<hex>: rootfs/, tree.json (the metadata index, see ./tree.ts), image.json. */
  dir: string;
  rootfs: string;
  treeFile: string;
  configDigest: string;
  config: ImageConfig;
  platform: string;
  format: ImageFormat;
  sizes: ImageSizes;
  /** Said about choices made (the platform taken from a multi-platform index). */
  notes: string[];
  /** True when an earlier run had unpacked it. */
  cached: boolean;
}

/** What image.json keeps, for a later run that finds the tree cached (and for a person looking in the cache). */
interface CachedImage {
  configDigest: string;
  unpackedSize: number;
}

const LOCK_POLL_MS = 200;

/**
 * The image's tree, unpacked under `cacheRoot`. Keyed by the config digest, which names every
 * layer's uncompressed digest, so the same image in another format or compression shares it.
 * One process unpacks (a lock beside the directory); it works in a staging directory named by its
 * pid and renames it into place whole, so readers see no tree or a complete one.
 */
export async function unpackImage(source: ImageSource, cacheRoot: string, say: (line: string) => void = () => undefined): Promise<UnpackedImage> {
  const root = path.join(cacheRoot, 'images');
  const dir = path.join(root, source.configDigest.replace(':', '-'));
  const found = await readRecord(dir);
  if (found) return describe(dir, found, source, true);
  await mkdir(root, { recursive: true });
  const lock = `${dir}.lock`;
  for (let waited = false; !(await tryLockFile(lock)); waited = true) {
    if (!waited) say(`waiting for another tinyx to unpack ${source.configDigest.slice(0, 19)}`);
    await sleep(LOCK_POLL_MS);
  }
  const staging = `${dir}.unpack-${process.pid}`;
  try {
    const done = await readRecord(dir);
    if (done) return describe(dir, done, source, true);
    // Leftovers of unpackers that died: while we hold the lock, nobody else writes beside it.
    const base = path.basename(dir);
    for (const name of await readdir(root)) if (name.startsWith(`${base}.unpack-`)) await rm(path.join(root, name), { recursive: true, force: true });
    const rootfs = path.join(staging, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    const tree = new Tree();
    for (const [i, layer] of source.layers.entries()) await applyLayer(source.files, layer, layerLabel(source.layers, i), rootfs, tree);
    const record: CachedImage = { configDigest: source.configDigest, unpackedSize: await unpackedSize(rootfs, tree) };
    await writeTree(path.join(staging, 'tree.json'), tree);
    await writeFileAtomic(path.join(staging, 'image.json'), JSON.stringify(record, null, 2) + '\n');
    await rename(staging, dir);
    return describe(dir, record, source, false);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(lock, { force: true });
  }
}

async function readRecord(dir: string): Promise<CachedImage | undefined> {
  const file = path.join(dir, 'image.json');
  if (!(await exists(file))) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as CachedImage;
}

function describe(dir: string, record: CachedImage, source: ImageSource, cached: boolean): UnpackedImage {
  const { configDigest, config, platform, format, notes } = source;
  const sizes = { layers: source.layers.reduce((sum, l) => sum + l.size, 0), unpacked: record.unpackedSize };
  const paths = { dir, rootfs: path.join(dir, 'rootfs'), treeFile: path.join(dir, 'tree.json') };
  return { ...paths, configDigest, config, platform, format, sizes, notes, cached };
}

/** Bytes of the regular files on disk, hard links counted once. */
async function unpackedSize(rootfs: string, tree: Tree): Promise<number> {
  const seen = new Set<number>();
  let total = 0;
  for (const [p, entry] of tree.list()) {
    if (entry.type !== 'file') continue;
    const info = await lstat(path.join(rootfs, p));
    if (seen.has(info.ino)) continue;
    seen.add(info.ino);
    total += info.size;
  }
  return total;
}
