// The initramfs compressors with the real xz, zstd and lz4: round trips through the real decompressors, deterministic output, the formats the kernel reads.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import {
  archiveSample, availableCompressions, checkCompressionTools, compressArchive, COMPRESSIONS, COMPRESSORS, initramfsFileName, KERNEL_COMPRESSION_MEMBERS,
  parseCompression, parseCompressionList, smallest, withCompression, XZ_DICT_MAX_BYTES, xzDictBytes,
} from '../../src/packager/compress.js';
import { encodeCpio } from '../../src/packager/cpio.js';

/** A newc archive like a small initramfs: text that compresses well, and incompressible bytes. */
function archive(): Buffer {
  const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i % 97}: the quick brown fox\n`).join(''));
  return encodeCpio([
    { path: 'etc', kind: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: 'etc/text', kind: 'file', mode: 0o644, uid: 0, gid: 0, data: text },
    { path: 'random', kind: 'file', mode: 0o644, uid: 0, gid: 0, data: randomBytes(64 * 1024) },
    { path: 'init', kind: 'symlink', mode: 0o777, uid: 0, gid: 0, target: '/bin/app' },
  ]);
}

let dir: string;
let cpio: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-compress-'));
  cpio = archive();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `tool ...args` reading `file`, its stdout as bytes. */
async function run(tool: string, args: string[], file: string): Promise<Buffer> {
  const result = await execa(tool, [...args, file], { encoding: 'buffer', stripFinalNewline: false });
  return Buffer.from(result.stdout);
}

describe('compressArchive', () => {
  it('has every compressor on this host (the set-up installs xz-utils, zstd and lz4)', async () => {
    expect(await availableCompressions()).toEqual([...COMPRESSIONS]);
  });

  it.each([
    ['xz', ['-d', '-c']],
    ['zstd', ['-d', '-c', '-q']],
    ['lz4', ['-d', '-c', '-q']],
  ] as const)('%s: the real decompressor gives the archive back, and the output is the same every time', async (compression, decompress) => {
    const packed = await compressArchive(cpio, compression);
    expect(packed.length).toBeLessThan(cpio.length);
    expect((await compressArchive(cpio, compression)).equals(packed)).toBe(true);
    const file = path.join(dir, initramfsFileName(compression));
    await writeFile(file, packed);
    expect((await run(COMPRESSORS[compression].tool!, [...decompress], file)).equals(cpio)).toBe(true);
  });

  it('gzip: node zlib at level 9, as before (no name, no time), read back by gunzip', async () => {
    const packed = await compressArchive(cpio, 'gzip');
    expect(gunzipSync(packed).equals(cpio)).toBe(true);
    expect([...packed.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    expect(packed.readUInt32LE(4)).toBe(0); // mtime
    expect((await compressArchive(cpio, 'gzip')).equals(packed)).toBe(true);
  });

  it('xz: CRC32 as the check (XZ Embedded reads no other), and a dictionary no larger than the archive', async () => {
    const packed = await compressArchive(cpio, 'xz');
    // Stream header: magic (6 bytes), then the stream flags 0x00 and the check type (0x01: CRC32).
    expect([...packed.subarray(0, 6)]).toEqual([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
    expect([packed[6], packed[7]]).toEqual([0x00, 0x01]);
    const file = path.join(dir, 'check.xz');
    await writeFile(file, packed);
    const listing = (await execa('xz', ['-lvv', file])).stdout;
    expect(listing).toMatch(/Check:\s+CRC32/);
    // The kernel allocates the header's dictionary while it unpacks: not preset 9's 64 MiB for a small archive.
    const dict = /--lzma2=dict=(\d+)(KiB|MiB)/.exec(listing);
    expect(dict).not.toBeNull();
    const dictBytes = Number(dict![1]) * (dict![2] === 'MiB' ? 1 << 20 : 1 << 10);
    expect(dictBytes).toBeLessThanOrEqual(cpio.length);
    expect(dictBytes).toBeGreaterThan(cpio.length / 2);
  });

  it('xz: the dictionary is the largest power of two not above the archive (at least 4 KiB, at most 4 MiB), which the header names exactly', async () => {
    expect(xzDictBytes(0)).toBe(4096);
    expect(xzDictBytes(8191)).toBe(4096);
    expect(xzDictBytes(8192)).toBe(8192);
    expect(xzDictBytes(3 << 20)).toBe(2 << 20);
    expect(xzDictBytes(4 << 20)).toBe(4 << 20);
    expect(xzDictBytes(200 << 20)).toBe(XZ_DICT_MAX_BYTES);
    // hello-http's archive is 2.2 MB: its own size would be named 3 MiB in the header (2^n + 2^(n-1)), 2 MiB is named as it is.
    const mid = encodeCpio([{ path: 'mid', kind: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.concat([randomBytes(64 << 10), Buffer.alloc(2_200_000, 'tinyx ')]) }]);
    const file = path.join(dir, 'mid.xz');
    await writeFile(file, await compressArchive(mid, 'xz'));
    const block = (await execa('xz', ['--robot', '--list', '-vv', file])).stdout.split('\n').map((l) => l.split('\t')).find((l) => l[0] === 'block')!;
    expect(block.at(-1)).toBe('--lzma2=dict=2MiB');
  });

  it('xz: a large archive names a dictionary of at most XZ_DICT_MAX_BYTES (4 MiB), what the guest\'s kernel allocates to unpack it', async () => {
    const large = encodeCpio([{ path: 'big', kind: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.alloc(6 << 20, 'tinyx ') }]);
    const file = path.join(dir, 'large.xz');
    await writeFile(file, await compressArchive(large, 'xz'));
    // --robot: the stream line's check, and the block line's memory to decode it and its filter chain.
    const lines = (await execa('xz', ['--robot', '--list', '-vv', file])).stdout.split('\n').map((l) => l.split('\t'));
    expect(lines.find((l) => l[0] === 'stream')?.[8]).toBe('CRC32');
    const block = lines.find((l) => l[0] === 'block')!;
    expect(block.at(-1)).toBe('--lzma2=dict=4MiB');
    expect(XZ_DICT_MAX_BYTES).toBe(4 << 20);
    expect(Number(block.at(-2))).toBeLessThan(XZ_DICT_MAX_BYTES + (1 << 20));
  });

  it('xz: the smaller dictionary compresses exactly as well as plain `xz -9e --check=crc32`', async () => {
    const file = path.join(dir, 'plain.cpio');
    await writeFile(file, cpio);
    const plain = await run('xz', ['-9e', '--check=crc32', '-T1', '-c'], file);
    expect((await compressArchive(cpio, 'xz')).length).toBe(plain.length);
  });

  it('lz4: the legacy frame (the only one the kernel reads); zstd: a zstd frame', async () => {
    expect((await compressArchive(cpio, 'lz4')).readUInt32LE(0)).toBe(0x184c2102);
    expect((await compressArchive(cpio, 'zstd')).readUInt32LE(0)).toBe(0xfd2fb528);
  });
});

describe('archiveSample', () => {
  it('joins slices spread from the archive\'s start to its end; an archive no larger than the slices is its own sample', () => {
    const archive = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect([...archiveSample(archive, 4, 5)]).toEqual([0, 1, 2, 3, 4, 31, 32, 33, 34, 35, 62, 63, 64, 65, 66, 93, 94, 95, 96, 97]);
    expect(archiveSample(archive, 4, 25)).toBe(archive);
    expect(archiveSample(new Uint8Array(64 << 20)).length).toBe(8 << 20);
  });
});

describe('choosing a compression', () => {
  it('takes the smallest by exact bytes; a tie goes to the faster to unpack', () => {
    expect(smallest([{ compression: 'gzip', bytes: 100 }, { compression: 'xz', bytes: 99 }, { compression: 'lz4', bytes: 130 }]).compression).toBe('xz');
    expect(smallest([{ compression: 'xz', bytes: 50 }, { compression: 'zstd', bytes: 50 }, { compression: 'gzip', bytes: 50 }]).compression).toBe('zstd');
    expect(smallest([{ compression: 'gzip', bytes: 7 }, { compression: 'lz4', bytes: 7 }]).compression).toBe('lz4');
    expect(() => smallest([])).toThrow(/no compressed archive/);
  });

  it('names each compressor\'s initramfs file and Kconfig options', () => {
    expect(COMPRESSIONS.map(initramfsFileName)).toEqual(['initramfs.cpio.gz', 'initramfs.cpio.xz', 'initramfs.cpio.zst', 'initramfs.cpio.lz4']);
    expect(COMPRESSIONS.map((c) => [COMPRESSORS[c].initramfsOption, COMPRESSORS[c].kernelOption])).toEqual([
      ['RD_GZIP', 'KERNEL_GZIP'], ['RD_XZ', 'KERNEL_XZ'], ['RD_ZSTD', 'KERNEL_ZSTD'], ['RD_LZ4', 'KERNEL_LZ4'],
    ]);
  });

  it('sets the RD_ option and picks the kernel compression member, every other member off', () => {
    const config = withCompression(new Map([['KERNEL_XZ', 'y'], ['RD_GZIP', 'y'], ['NET', 'y']]), 'zstd');
    expect(config.get('KERNEL_ZSTD')).toBe('y');
    expect(config.get('RD_ZSTD')).toBe('y');
    for (const member of KERNEL_COMPRESSION_MEMBERS.filter((m) => m !== 'KERNEL_ZSTD')) expect(config.get(member), member).toBe('n');
    expect([config.get('RD_GZIP'), config.get('NET')]).toEqual(['y', 'y']);
  });

  it('refuses a compression whose tool is missing, naming the package and what is there', () => {
    let error: unknown;
    try {
      checkCompressionTools(['xz', 'lz4'], ['gzip', 'lz4'], '--compare-compression xz,lz4');
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_COMPRESSOR_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe('--compare-compression xz,lz4 needs `xz`, which is not installed here.');
    expect((error as { advice: string }).advice).toContain('apt-get install xz-utils');
    expect((error as { advice: string }).advice).toContain('gzip, lz4 are available');
    expect(() => checkCompressionTools(['gzip'], ['gzip'], '--compression gzip')).not.toThrow();
  });

  it('finds only gzip when the tools are not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'empty-path');
    try {
      expect(await availableCompressions()).toEqual(['gzip']);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('the compression flags', () => {
  it('reads --compression: auto or a compressor', () => {
    for (const name of ['auto', 'gzip', 'xz', 'zstd', 'lz4']) expect(parseCompression(name, '--compression')).toBe(name);
    expect(() => parseCompression('bzip2', '--compression')).toThrow('--compression must be one of auto, gzip, xz, zstd, lz4, received "bzip2".');
  });

  it('reads --compare-compression: a comma list (duplicates once) or none', () => {
    expect(parseCompressionList('none', '--compare-compression')).toEqual([]);
    expect(parseCompressionList('gzip, lz4,gzip', '--compare-compression')).toEqual(['gzip', 'lz4']);
    for (const bad of ['', ',', 'auto', 'xz,brotli']) {
      let error: unknown;
      try {
        parseCompressionList(bad, '--compare-compression');
      } catch (e) {
        error = e;
      }
      expect(isTinyxError(error, 'TINYX_USAGE'), bad).toBe(true);
      expect((error as Error).message).toContain(`received "${bad}"`);
    }
  });
});
