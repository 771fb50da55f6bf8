// Decompressing a layer as it streams: gzip with Node's zlib, zstd with the zstd program (Node 20's zlib has none), plain tar as is.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TinyxError } from '../errors.js';
import type { Compression } from './media.js';

/** A stage for stream.pipeline: a transform stream, or an async generator over the compressed chunks. */
export type Decompressor = NodeJS.ReadWriteStream | ((source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>);

export function decompressor(compression: Compression): Decompressor {
  if (compression === 'gzip') return createGunzip();
  if (compression === 'zstd') return zstdDecompress;
  return new PassThrough();
}

/**
 * `zstd -dc` as a child process fed `source` on stdin, its stdout yielded as it comes. A corrupt
 * stream makes zstd exit non-zero, thrown with its message; the child is killed if the consumer
 * stops early.
 */
async function* zstdDecompress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new TinyxError('TINYX_COMPRESSOR_NOT_FOUND', 'This image has zstd-compressed layers, and the zstd program is not installed.', {
      advice: 'Install it: apt-get install zstd',
    });
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // zstd stops reading when the input is corrupt: the broken pipe that follows is not the error to report.
  const fed = pipeline(source, child.stdin).then(() => undefined, (error: unknown) => error);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    if (code !== 0) throw new Error(`zstd: ${Buffer.concat(stderr).toString('utf8').trim() || `exit status ${code}`}`);
    const feedError = await fed;
    if (feedError) throw feedError;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
