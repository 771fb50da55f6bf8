// A layer's tar entry as tinyx reads it: its path inside the image (never above the root), its kind and metadata.
import type { Header } from 'tar-stream';
import { TinyxError } from '../errors.js';
import type { EntryType, TreeEntry } from './tree.js';

/** Whiteout markers (OCI image spec, layer.md): ".wh.NAME" hides NAME of lower layers; this one hides all of a directory's lower content. */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

const TYPES: Partial<Record<Header['type'], EntryType>> = {
  'file': 'file',
  'contiguous-file': 'file',
  'directory': 'directory',
  'symlink': 'symlink',
  'character-device': 'char-device',
  'block-device': 'block-device',
  'fifo': 'fifo',
};

/** Where in the image `name` lies, "usr/bin/env" ("" for the root): "./", "/" and "." parts dropped; ".." refused. */
export function entryPath(name: string, layer: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(layer, name, 'climbs out of the image root with ".."');
  return parts.join('/');
}

/** The metadata index entry for `header` (not a hard link: those take their target's). */
export function entryOf(header: Header, layer: string): TreeEntry {
  const type = TYPES[header.type];
  if (!type) {
    throw new TinyxError('TINYX_IMAGE_UNSUPPORTED', `${layer}: ${header.name} is a tar entry of type ${header.type}, which no image layer holds.`, {
      advice: 'Rebuild the image with docker, podman or buildah.',
    });
  }
  const pax = (header.pax ?? {}) as Record<string, string>;
  const id = (paxValue: string | undefined, field: number) => (paxValue !== undefined && /^\d+$/.test(paxValue) ? Number(paxValue) : field);
  const entry: TreeEntry = { type, mode: header.mode & 0o7777, uid: id(pax.uid, header.uid), gid: id(pax.gid, header.gid) };
  if (type === 'file') entry.size = header.size;
  if (type === 'symlink') entry.target = header.linkname;
  if (type === 'char-device' || type === 'block-device') Object.assign(entry, { major: header.devmajor, minor: header.devminor });
  return entry;
}

/** Refusal of an entry that would write outside the image's own tree. */
export function unsafe(layer: string, name: string, problem: string): TinyxError {
  return new TinyxError('TINYX_IMAGE_INVALID', `${layer}: the entry ${name} ${problem}; tinyx refuses to unpack it.`, {
    advice: 'Image layers written by docker, podman, buildah or umoci never do this: the image was crafted or damaged. Rebuild it from its Dockerfile.',
  });
}
