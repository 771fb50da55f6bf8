// Opens a container image for tinyx: inspected (cheap checks first), unpacked into the cache, and its files read for the default run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot } from '../util/paths.js';
import { inspectImage, type InspectOptions } from './inspect.js';
import { lookupPath } from './lookup.js';
import { defaultRun, type DefaultRun, type ImageFacts, type RunOverrides } from './run-config.js';
import { readTree } from './tree.js';
import { unpackImage, type UnpackedImage } from './unpack.js';

export interface OpenImageOptions extends Partial<InspectOptions> {
  /** Progress for a person: waiting for another run that unpacks the same image. */
  say?: (line: string) => void;
}

/**
 * The image `ref` (a `docker save` / `podman save` archive, an OCI archive or layout directory,
 * or "-" for an archive on standard input), unpacked under the cache root (`cacheRoot()` unless
 * given). Every refusal is a TinyxError with a TINYX_IMAGE_* code (or TINYX_USAGE for an archive
 * of several images and no tag); those found without reading a layer come first.
 */
export async function openImage(ref: string, options: OpenImageOptions = {}): Promise<UnpackedImage> {
  const root = options.cacheRoot ?? cacheRoot();
  const source = await inspectImage(ref, { ...options, cacheRoot: root });
  try {
    return await unpackImage(source, root, options.say);
  } finally {
    await source.close();
  }
}

/** The unpacked image's metadata index, /etc/passwd and /etc/group (read through the image's own symlinks), for defaultRun. */
export async function imageFacts(image: UnpackedImage): Promise<ImageFacts> {
  const tree = await readTree(image.treeFile);
  const read = async (p: string) => {
    const found = lookupPath(tree, p);
    return found?.entry?.type === 'file' ? readFile(path.join(image.rootfs, found.path), 'utf8') : undefined;
  };
  return { tree, passwd: await read('/etc/passwd'), group: await read('/etc/group') };
}

/** An image ready for a run: unpacked, its files read, and the run its config gives with the caller's overrides. */
export interface OpenedImage {
  unpacked: UnpackedImage;
  files: ImageFacts;
  run: DefaultRun;
}

/** openImage, imageFacts and defaultRun in one: what `minimize --image` and `deps --image` start from. */
export async function openImageRun(ref: string, overrides: RunOverrides = {}, options: OpenImageOptions = {}): Promise<OpenedImage> {
  const unpacked = await openImage(ref, options);
  const files = await imageFacts(unpacked);
  return { unpacked, files, run: defaultRun(unpacked.config.config, files, overrides) };
}
