// A tar archive of an image (docker save, podman save, an OCI archive) read in place: one pass indexes where each member's bytes are.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { TinyxError } from '../errors.js';
import type { ImageFiles } from './files.js';

interface Member {
  offset: number;
  size: number;
}

/** `docker save` writes each layer once and links the legacy `<id>/layer.tar` to it with a symlink. */
const MAX_LINK_HOPS = 8;

/**
 * The files of the image in `archive`, read without unpacking it: the archive is read once to note
 * where each regular member's bytes start, and every later read is a byte range of the archive.
 * An archive that ends inside a member, or between members (without the two zero blocks that end
 * every tar), is refused as incomplete; one that is not a tar, as invalid.
 */
export async function archiveFiles(archive: string, label = archive): Promise<ImageFiles> {
  const members = new Map<string, Member>();
  const links = new Map<string, string>();
  const reader = extract();
  reader.on('entry', (header: Header & { byteOffset?: number }, stream, next) => {
    const name = memberName(header.name);
    if (header.type === 'file' || header.type === 'contiguous-file') members.set(name, { offset: header.byteOffset!, size: header.size });
    if (header.type === 'symlink') links.set(name, path.posix.join(path.posix.dirname(name), header.linkname));
    if (header.type === 'link') links.set(name, memberName(header.linkname));
    stream.on('end', () => next());
    stream.resume();
  });
  try {
    await pipeline(createReadStream(archive), reader);
  } catch (error) {
    throw unreadable(label, error);
  }
  if (members.size + links.size > 0 && !(await endsWithEndMarker(archive))) throw unreadable(label, new Error('unexpected end of archive: no end-of-archive blocks'));
  const resolve = (name: string): Member | undefined => {
    let at = memberName(name);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const found = members.get(at);
      if (found) return found;
      const next = links.get(at);
      if (next === undefined) return undefined;
      at = memberName(next);
    }
    return undefined;
  };
  return {
    label,
    kind: 'archive',
    async size(name) {
      return resolve(name)?.size;
    },
    async open(name, start = 0, end) {
      const member = resolve(name)!;
      const stop = Math.min(end ?? member.size, member.size);
      if (stop <= start) return Readable.from([]);
      return createReadStream(archive, { start: member.offset + start, end: member.offset + stop - 1 });
    },
  };
}

/** Whether the last 1024 bytes are zeros, as the end-of-archive marker of every tar writer leaves them. */
async function endsWithEndMarker(archive: string): Promise<boolean> {
  const handle = await open(archive);
  try {
    const { size } = await handle.stat();
    if (size < 1024) return false;
    const tail = Buffer.alloc(1024);
    await handle.read(tail, 0, 1024, size - 1024);
    return tail.every((b) => b === 0);
  } finally {
    await handle.close();
  }
}

/** A member's name without "./" or a trailing "/": "./blobs/sha256/ab" -> "blobs/sha256/ab". */
function memberName(name: string): string {
  return path.posix.normalize(name).split('/').filter((p) => p !== '' && p !== '.').join('/');
}

function unreadable(label: string, error: unknown): TinyxError {
  const message = (error as Error).message ?? String(error);
  if (/unexpected end/i.test(message)) {
    return new TinyxError('TINYX_IMAGE_INCOMPLETE', `${label} is truncated (${message}).`, {
      advice: 'Save the image again (docker save -o, podman save -o) and check that the copy finished.',
      cause: error,
    });
  }
  return new TinyxError('TINYX_IMAGE_INVALID', `${label} is not a tar archive (${message}).`, {
    advice: 'Pass a `docker save` or `podman save` archive, an OCI archive, or an OCI layout directory.',
    cause: error,
  });
}
