// The media types an image's manifests, configs and layers may have, and how a layer is compressed (its first bytes tell).
import { TinyxError } from '../errors.js';

export const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
export const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
export const CONFIG_TYPES = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'];

/** Layers are tar archives, whole or compressed; "nondistributable" and "foreign" differ only in where they may be pushed. */
const LAYER_TYPE = new RegExp([
  '^application/vnd\\.oci\\.image\\.layer\\.(nondistributable\\.)?v1\\.tar(\\+gzip|\\+zstd)?$',
  '^application/vnd\\.docker\\.image\\.rootfs\\.(foreign\\.)?diff\\.tar(\\.gzip)?$',
].join('|'));

export type Compression = 'none' | 'gzip' | 'zstd';

/** Refuses a descriptor whose media type is not one of `known` (`what`: "the manifest", "layer 2"). */
export function checkMediaType(mediaType: string, known: readonly string[] | RegExp, what: string): void {
  const ok = Array.isArray(known) ? known.includes(mediaType) : (known as RegExp).test(mediaType);
  if (!ok) {
    throw new TinyxError('TINYX_IMAGE_UNSUPPORTED', `${what} has media type ${mediaType}, which tinyx cannot run.`, {
      advice: 'tinyx runs Linux container images whose layers are tar archives (plain, gzip or zstd); encrypted layers and non-image artifacts are not supported.',
    });
  }
}

export function checkLayerType(mediaType: string, what: string): void {
  checkMediaType(mediaType, LAYER_TYPE, what);
}

/**
 * How a layer blob is compressed, from its first bytes: tools disagree with their own media types
 * (skopeo 1.9 labels uncompressed layers "tar+gzip" when writing an OCI layout), so the bytes decide.
 * xz and bzip2 (accepted by old Docker) are refused with their names.
 */
export function detectCompression(head: Uint8Array, what: string): Compression {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  const other = starts(0xfd, 0x37, 0x7a, 0x58, 0x5a) ? 'xz' : starts(0x42, 0x5a, 0x68) ? 'bzip2' : undefined;
  if (other) {
    throw new TinyxError('TINYX_IMAGE_UNSUPPORTED', `${what} is compressed with ${other}; tinyx reads plain, gzip and zstd layers.`, {
      advice: 'Convert the image: skopeo copy --dest-compress-format gzip --dest-compress <source> oci-archive:app.tar',
    });
  }
  return 'none';
}
