// Content digests of image blobs ("sha256:<hex>"): checked for form, computed while a blob streams past.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TinyxError } from '../errors.js';

/** The algorithms the OCI image spec registers, with their hex lengths. */
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** `value` if it is a well-formed digest ("sha256:" + 64 lowercase hex); refused otherwise, naming `where`. */
export function checkDigest(value: unknown, where: string): string {
  const [algorithm, hex] = typeof value === 'string' ? value.split(':') : [];
  const length = algorithm === undefined ? undefined : HEX_LENGTH[algorithm];
  if (length === undefined || hex === undefined || !new RegExp(`^[0-9a-f]{${length}}$`).test(hex)) {
    throw new TinyxError('TINYX_IMAGE_INVALID', `${where}: ${JSON.stringify(value)} is not a digest (sha256:<64 hex digits>).`, {
      advice: 'The image was written by a broken tool or edited by hand: save it again (docker save, podman save, skopeo copy).',
    });
  }
  return value as string;
}

/** The digest of `data` under the algorithm that `like` names ("sha256:..." -> sha256). */
export function digestOf(data: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.split(':')[0]!;
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** `what` is not the blob its descriptor names: another digest, or another size (in bytes). */
export function mismatch(what: string, property: 'digest' | 'size', expected: string | number, actual: string | number): TinyxError {
  return new TinyxError('TINYX_IMAGE_DIGEST_MISMATCH', `${what} has ${property} ${actual}, but the image says ${expected}.`, {
    advice: 'The image is corrupt or was altered after it was written: save or pull it again.',
  });
}

/** Refuses `data` unless its digest is `expected`. */
export function verifyDigest(data: Uint8Array, expected: string, what: string): void {
  const actual = digestOf(data, expected);
  if (actual !== expected) throw mismatch(what, 'digest', expected, actual);
}

/** A pass-through stream that hashes what goes through; `verify()` after the end refuses another digest. */
export class DigestStream extends Transform {
  private readonly hash;
  private readonly algorithm: string;

  constructor(private readonly expected: string | undefined, private readonly what: string) {
    super();
    this.algorithm = (expected ?? 'sha256:').split(':')[0]!;
    this.hash = createHash(this.algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Call once, after the stream ended. */
  verify(): void {
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (this.expected !== undefined && actual !== this.expected) throw mismatch(this.what, 'digest', this.expected, actual);
  }
}
