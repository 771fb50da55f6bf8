// The files of an image as paths inside it ("index.json", "blobs/sha256/<hex>"), whether it is a directory or a tar archive.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TinyxError } from '../errors.js';

export interface ImageFiles {
  /** The directory or archive as the user named it, for messages. */
  readonly label: string;
  readonly kind: 'directory' | 'archive';
  /** The size of `name`, undefined when the image has no such regular file. */
  size(name: string): Promise<number | undefined>;
  /** The bytes of `name` from `start` (default 0) up to `end` (exclusive; default: its end). */
  open(name: string, start?: number, end?: number): Promise<Readable>;
}

/** Manifests and configs are small; anything larger than this is not one. */
const JSON_LIMIT = 4 * 1024 * 1024;

/** A path inside the image as a manifest names it: relative, without `..`; refused otherwise. */
export function innerPath(name: unknown, where: string): string {
  const parts = typeof name === 'string' ? name.split('/').filter((p) => p !== '' && p !== '.') : [];
  if (typeof name !== 'string' || name.startsWith('/') || parts.length === 0 || parts.includes('..')) {
    throw new TinyxError('TINYX_IMAGE_INVALID', `${where} names ${JSON.stringify(name)}, which is not a path inside the image.`, {
      advice: 'The image was written by a broken tool or edited by hand: save it again.',
    });
  }
  return parts.join('/');
}

/** The files of an image laid out in directory `dir` (an OCI layout, or an unpacked `docker save`). */
export function directoryFiles(dir: string): ImageFiles {
  const full = (name: string) => path.join(dir, innerPath(name, dir));
  return {
    label: dir,
    kind: 'directory',
    async size(name) {
      const info = await stat(full(name)).catch(() => undefined);
      return info?.isFile() ? info.size : undefined;
    },
    async open(name, start = 0, end) {
      if (end !== undefined && end <= start) return Readable.from([]);
      return createReadStream(full(name), { start, end: end === undefined ? undefined : end - 1 });
    },
  };
}

/** The whole of `name`; refused when absent or larger than a JSON document can be. */
export async function readSmall(files: ImageFiles, name: string, what: string): Promise<Buffer> {
  const size = await files.size(name);
  if (size === undefined) throw missing(files, name, what);
  if (size > JSON_LIMIT) {
    throw new TinyxError('TINYX_IMAGE_INVALID', `${what} (${name} in ${files.label}) is ${size} bytes, too large for a manifest or config.`, {
      advice: 'Check that this is a container image (docker save, podman save, skopeo copy, an OCI layout).',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await files.open(name)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function missing(files: ImageFiles, name: string, what: string): TinyxError {
  return new TinyxError('TINYX_IMAGE_INCOMPLETE', `${what} is missing: ${files.label} has no ${name}.`, {
    advice: files.kind === 'archive'
      ? 'The archive is incomplete (cut short, or written without all its layers): save it again.'
      : 'A blob was deleted from the layout, or it was copied only in part: copy it again (skopeo copy).',
  });
}

/** `bytes` as the JSON object `what` must be; refused otherwise. */
export function parseJson(bytes: Buffer, what: string, label: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TinyxError('TINYX_IMAGE_INVALID', `${what} in ${label} is not valid JSON: ${(error as Error).message}`, {
      advice: 'The image was written by a broken tool or edited by hand: save it again.',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(what, label, 'is not a JSON object');
  return value as Record<string, unknown>;
}

export function malformed(what: string, label: string, problem: string): TinyxError {
  return new TinyxError('TINYX_IMAGE_INVALID', `${what} in ${label} ${problem}.`, {
    advice: 'The image was written by a broken tool or edited by hand: save it again (docker save, podman save, skopeo copy).',
  });
}
