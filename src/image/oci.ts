// An OCI image layout (oci-layout, index.json, blobs/<alg>/<hex>), in a directory or an archive: index -> manifest -> config + layers.
import { TinyxError } from '../errors.js';
import { parseConfig } from './config.js';
import { mismatch, verifyDigest } from './digest.js';
import { parseJson, readSmall, type ImageFiles } from './files.js';
import { checkLayersPresent, type ImageRecipe } from './layers.js';
import { parseIndex, parseManifest, type Descriptor } from './manifest.js';
import { checkLayerType, checkMediaType, CONFIG_TYPES, INDEX_TYPES, MANIFEST_TYPES } from './media.js';
import { chooseManifest, type WantedPlatform } from './platform.js';

/** Indexes may point at indexes (a layout's index.json at a multi-platform index); real ones nest once. */
const MAX_DEPTH = 4;

export const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

/** Whether `files` hold an OCI layout: index.json is its entry point. */
export async function isOciLayout(files: ImageFiles): Promise<boolean> {
  return (await files.size('index.json')) !== undefined;
}

export async function readOciImage(files: ImageFiles, wanted: WantedPlatform, tag?: string): Promise<ImageRecipe> {
  await checkLayoutVersion(files);
  const notes: string[] = [];
  let entries = parseIndex(await readSmall(files, 'index.json', 'index.json'), 'index.json', files.label);
  let what = 'index.json';
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const choice = chooseManifest(entries, wanted, `${what} of ${files.label}`, depth === 0 ? tag : undefined);
    if (choice.note) notes.push(choice.note);
    const chosen = choice.descriptor;
    if (INDEX_TYPES.includes(chosen.mediaType)) {
      what = `the image index ${chosen.digest.slice(0, 19)}`;
      entries = parseIndex(await readBlob(files, chosen, what), what, files.label);
      continue;
    }
    checkMediaType(chosen.mediaType, MANIFEST_TYPES, `the manifest ${chosen.digest.slice(0, 19)}`);
    const manifest = parseManifest(await readBlob(files, chosen, 'the image manifest'), 'the image manifest', files.label);
    checkMediaType(manifest.config.mediaType, CONFIG_TYPES, 'the image config');
    const config = parseConfig(await readBlob(files, manifest.config, 'the image config'), files.label);
    manifest.layers.forEach((l, i) => checkLayerType(l.mediaType, `layer ${i + 1} of ${manifest.layers.length}`));
    const recipe: ImageRecipe = {
      configDigest: manifest.config.digest,
      config,
      notes,
      layers: manifest.layers.map((l, i) => ({ name: blobPath(l.digest), digest: l.digest, diffId: config.diffIds[i] ?? '', size: l.size, mediaType: l.mediaType })),
    };
    await checkLayersPresent(files, recipe, manifest.layers.map((l) => l.size));
    return recipe;
  }
  throw new TinyxError('TINYX_IMAGE_INVALID', `${files.label}: image indexes nest more than ${MAX_DEPTH} deep.`, {
    advice: 'The image was written by a broken tool: save it again.',
  });
}

/** A small blob (index, manifest, config), refused unless its size and digest are its descriptor's. */
async function readBlob(files: ImageFiles, descriptor: Descriptor, what: string): Promise<Buffer> {
  const bytes = await readSmall(files, blobPath(descriptor.digest), `${what} ${descriptor.digest.slice(0, 19)}`);
  if (bytes.length !== descriptor.size) throw mismatch(what, 'size', descriptor.size, bytes.length);
  verifyDigest(bytes, descriptor.digest, what);
  return bytes;
}

/** oci-layout, when present, must name a 1.x layout (the spec requires it; some writers omit it). */
async function checkLayoutVersion(files: ImageFiles): Promise<void> {
  if ((await files.size('oci-layout')) === undefined) return;
  const { imageLayoutVersion } = parseJson(await readSmall(files, 'oci-layout', 'oci-layout'), 'oci-layout', files.label);
  if (typeof imageLayoutVersion !== 'string' || !imageLayoutVersion.startsWith('1.')) {
    throw new TinyxError('TINYX_IMAGE_UNSUPPORTED', `${files.label} is an OCI layout of version ${JSON.stringify(imageLayoutVersion)}; tinyx reads 1.x.`, {
      advice: 'Convert it with a current skopeo: skopeo copy oci:<dir> oci-archive:app.tar',
    });
  }
}
