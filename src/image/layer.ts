// Applies one layer blob to the tree: read, checked against its digests, decompressed and untarred in one streaming pass.
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { isTinyxError, TinyxError } from '../errors.js';
import { applyEntry } from './apply.js';
import { decompressor } from './decompress.js';
import { DigestStream } from './digest.js';
import type { ImageFiles } from './files.js';
import type { LayerRef } from './layers.js';
import { detectCompression } from './media.js';
import type { Tree } from './tree.js';

/**
 * Applies `layer` (labelled `what` in messages) to `tree`, unpacked under `root`. The blob's digest
 * and the uncompressed tar's diff ID are both checked; a mismatch is found at the end of the
 * stream, after entries were applied, so the caller unpacks into a staging directory it discards
 * on any error.
 */
export async function applyLayer(files: ImageFiles, layer: LayerRef, what: string, root: string, tree: Tree): Promise<void> {
  const head: Buffer[] = [];
  for await (const chunk of await files.open(layer.name, 0, 8)) head.push(chunk as Buffer);
  const compression = detectCompression(Buffer.concat(head), what);
  const blob = new DigestStream(layer.digest, what);
  const tar = new DigestStream(layer.diffId, `${what}, uncompressed,`);
  const reader = extract();
  const streamed = pipeline(await files.open(layer.name), blob, decompressor(compression), tar, reader);
  streamed.catch(() => undefined);
  const state = { root, tree, layer: what, written: new Set<string>(), holding: new Set<string>() };
  try {
    for await (const entry of reader) await applyEntry(state, entry.header, entry as AsyncIterable<Buffer>);
    await streamed;
  } catch (error) {
    reader.destroy();
    const fault = await streamed.then(() => undefined, (e: NodeJS.ErrnoException) => e);
    if (isTinyxError(error) || !fault || fault.code === 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    throw isTinyxError(fault) ? fault : unreadable(what, compression, fault);
  }
  blob.verify();
  tar.verify();
}

/** A layer whose bytes could not be decompressed or untarred: cut short, or not what it claims to be. */
function unreadable(what: string, compression: string, error: Error): TinyxError {
  const short = /unexpected end|premature end|truncated/i.test(error.message);
  return new TinyxError(short ? 'TINYX_IMAGE_INCOMPLETE' : 'TINYX_IMAGE_INVALID', `${what} (${compression === 'none' ? 'tar' : `${compression} tar`}) cannot be read: ${error.message}`, {
    advice: short ? 'The layer is cut short: save or pull the image again.' : 'The layer is corrupt: save or pull the image again.',
    cause: error,
  });
}
