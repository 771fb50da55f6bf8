// What reading an image's manifests yields: its config and the layer blobs to apply, lowest first, checked present.
import type { ImageConfig } from './config.js';
import { mismatch } from './digest.js';
import { malformed, missing, type ImageFiles } from './files.js';

export interface LayerRef {
  /** The blob's path inside the image. */
  name: string;
  /** The blob's own digest (compressed, as stored); a docker archive names its layers by diff ID only. */
  digest?: string;
  /** The digest of the uncompressed tar, from the config's rootfs.diff_ids. */
  diffId: string;
  /** The blob's size as stored. */
  size: number;
  mediaType: string;
}

export interface ImageRecipe {
  configDigest: string;
  config: ImageConfig;
  layers: LayerRef[];
  /** Said about choices made while reading (the platform taken from an index). */
  notes: string[];
}

/**
 * Refuses a recipe whose layers cannot all be read: a count that differs from the config's diff
 * IDs, a blob that is absent, or one whose size differs from its descriptor's (`expectedSizes`,
 * undefined where unknown). Cheap (no layer is read), so a caller learns of it before any costly
 * work. Records each blob's size as stored in its LayerRef.
 */
export async function checkLayersPresent(files: ImageFiles, recipe: ImageRecipe, expectedSizes: (number | undefined)[]): Promise<void> {
  if (recipe.config.diffIds.length !== recipe.layers.length) {
    throw malformed('the image config', files.label, `lists ${recipe.config.diffIds.length} layer diff IDs for ${recipe.layers.length} layers`);
  }
  for (const [i, layer] of recipe.layers.entries()) {
    const what = layerLabel(recipe.layers, i);
    const size = await files.size(layer.name);
    if (size === undefined) throw missing(files, layer.name, what);
    const expected = expectedSizes[i];
    if (expected !== undefined && size !== expected) throw mismatch(what, 'size', expected, size);
    layer.size = size;
  }
}

/** "layer 2 of 3 (sha256:0123456789ab)", for messages. */
export function layerLabel(layers: LayerRef[], i: number): string {
  const id = (layers[i]!.digest ?? layers[i]!.diffId).slice(0, 19);
  return `layer ${i + 1} of ${layers.length} (${id})`;
}
