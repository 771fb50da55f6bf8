// A `docker save` / `podman save` archive: manifest.json names the config file and the layer tars, which the config's diff IDs identify.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { parseConfig } from './config.js';
import { digestOf, mismatch } from './digest.js';
import { innerPath, malformed, readSmall, type ImageFiles } from './files.js';
import { checkLayersPresent, type ImageRecipe } from './layers.js';
import { tagMatches } from './platform.js';

interface SavedImage {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** A saved archive's layers carry no media type; their first bytes say whether they are compressed. */
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

export async function isDockerArchive(files: ImageFiles): Promise<boolean> {
  return (await files.size('manifest.json')) !== undefined;
}

/**
 * The image in a saved archive. `tag` picks one of several images ("app:1" or "1"); one image needs
 * none. The config's digest is that of its bytes, checked against its file name when the name is
 * one ("<hex>.json", "blobs/sha256/<hex>"); layers are checked against the diff IDs as they unpack.
 */
export async function readDockerArchive(files: ImageFiles, tag?: string): Promise<ImageRecipe> {
  const images = parseSaved(await readSmall(files, 'manifest.json', 'manifest.json'), files.label);
  const named = images.filter((image) => tag === undefined || image.RepoTags.some((t) => tagMatches(t, tag)));
  if (named.length !== 1) {
    const tags = images.flatMap((i) => i.RepoTags);
    throw new TinyxError(named.length === 0 ? 'TINYX_IMAGE_NOT_FOUND' : 'TINYX_USAGE',
      `${files.label} holds ${named.length === 0 ? `no image tagged ${tag}` : `${named.length} images`} (tags: ${tags.join(', ') || 'none'}).`,
      { advice: 'Name the tag of the image to run.' });
  }
  const image = named[0]!;
  const configName = innerPath(image.Config, 'manifest.json');
  const bytes = await readSmall(files, configName, 'the image config');
  const configDigest = digestOf(bytes);
  const named64 = /^([0-9a-f]{64})(\.json)?$/.exec(path.posix.basename(configName))?.[1];
  if (named64 && `sha256:${named64}` !== configDigest) throw mismatch(`the image config ${configName}`, 'digest', `sha256:${named64}`, configDigest);
  const config = parseConfig(bytes, files.label);
  const recipe: ImageRecipe = {
    configDigest,
    config,
    notes: [],
    layers: image.Layers.map((l, i) => ({ name: innerPath(l, 'manifest.json'), diffId: config.diffIds[i] ?? '', size: 0, mediaType: DOCKER_LAYER })),
  };
  await checkLayersPresent(files, recipe, []);
  return recipe;
}

function parseSaved(bytes: Buffer, label: string): SavedImage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw malformed('manifest.json', label, `is not valid JSON (${(error as Error).message})`);
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!Array.isArray(doc) || doc.length === 0) throw malformed('manifest.json', label, 'is not a list of images');
  return doc.map((entry: Partial<SavedImage> | null, i) => {
    if (typeof entry?.Config !== 'string' || !strings(entry.Layers)) throw malformed(`manifest.json's entry ${i}`, label, 'has no Config and Layers');
    return { Config: entry.Config, Layers: entry.Layers!, RepoTags: strings(entry.RepoTags) ? entry.RepoTags! : [] };
  });
}
