// The initramfs's compressors (gzip, xz, zstd, lz4): deterministic output, their Kconfig names, their host tools.
import { gzipSync, constants as zlib } from 'node:zlib';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import type { DotConfig } from '../kconfig/dotconfig.js';

export const COMPRESSIONS = ['gzip', 'xz', 'zstd', 'lz4'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
/** What a run is asked for: one compressor, or `auto` (the smallest initramfs among those this host has). */
export type CompressionChoice = Compression | 'auto';
export const COMPRESSION_CHOICES: readonly CompressionChoice[] = ['auto', ...COMPRESSIONS];

export interface Compressor {
  name: Compression;
  /** The host program it runs (gzip needs none: node's zlib). */
  tool?: string;
  /** The initramfs file's extension: `initramfs.cpio.<extension>`. */
  extension: string;
  /** The option that lets the kernel unpack an initramfs compressed so (usr/Kconfig). */
  initramfsOption: string;
  /** The member of the "Kernel compression mode" choice that compresses the kernel itself so (init/Kconfig). */
  kernelOption: string;
}

/** In order of decompression speed, fastest first: the order that breaks a tie in size. */
export const COMPRESSORS: Record<Compression, Compressor> = {
  lz4: { name: 'lz4', tool: 'lz4', extension: 'lz4', initramfsOption: 'RD_LZ4', kernelOption: 'KERNEL_LZ4' },
  zstd: { name: 'zstd', tool: 'zstd', extension: 'zst', initramfsOption: 'RD_ZSTD', kernelOption: 'KERNEL_ZSTD' },
  gzip: { name: 'gzip', extension: 'gz', initramfsOption: 'RD_GZIP', kernelOption: 'KERNEL_GZIP' },
  xz: { name: 'xz', tool: 'xz', extension: 'xz', initramfsOption: 'RD_XZ', kernelOption: 'KERNEL_XZ' },
};

/** Every member of the kernel's "Kernel compression mode" choice in 6.1 and 6.12 (x86 has them all). */
export const KERNEL_COMPRESSION_MEMBERS = [
  'KERNEL_GZIP', 'KERNEL_BZIP2', 'KERNEL_LZMA', 'KERNEL_XZ', 'KERNEL_LZO', 'KERNEL_LZ4', 'KERNEL_ZSTD', 'KERNEL_UNCOMPRESSED',
] as const;

/** `--compression` (or the profile's packaging.compression): one of COMPRESSION_CHOICES. */
export function parseCompression(text: string, where: string): CompressionChoice {
  if ((COMPRESSION_CHOICES as readonly string[]).includes(text)) return text as CompressionChoice;
  throw new TinyxError('TINYX_USAGE', `${where} must be one of ${COMPRESSION_CHOICES.join(', ')}, received "${text}".`, {
    advice: 'auto takes the smallest initramfs among the compressors this host has; the kernel is compressed the same way.',
  });
}

/** `--compare-compression`: compressor names, comma-separated, or `none`. */
export function parseCompressionList(text: string, where: string): Compression[] {
  if (text.trim() === 'none') return [];
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(COMPRESSIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new TinyxError('TINYX_USAGE', `${where} takes compressors from ${COMPRESSIONS.join(', ')}, comma-separated, or none; received "${text}".`, {
      advice: 'e.g. --compare-compression gzip,lz4; none compares nothing.',
    });
  }
  return [...new Set(names as Compression[])];
}

/** The out dir's (and the work dir's) initramfs file name for a compression. */
export function initramfsFileName(compression: Compression): string {
  return `initramfs.cpio.${COMPRESSORS[compression].extension}`;
}

/**
 * The largest LZMA2 dictionary an xz initramfs names: what the guest's kernel allocates to unpack it.
 * The kernel's own usr/Makefile takes 1 MiB; with 4 MiB the bundled examples' archives are within 0.1%
 * of what a dictionary their size gives (py-notes': 8.7% larger; with 1 MiB they are 0.7-24% larger),
 * and it is small beside the root it unpacks.
 */
export const XZ_DICT_MAX_BYTES = 4 << 20;

/**
 * Pure: the xz dictionary for an archive of `archiveBytes`: the largest power of two not above it
 * (at least 4 KiB), at most XZ_DICT_MAX_BYTES. The header names a size of the form 2^n or
 * 2^n + 2^(n-1), rounded up, and the guest allocates that while it unpacks: with the archive's own
 * size, hello-http's 2.2 MB archive named 3 MiB; with 2 MiB it is 40 bytes larger and the guest
 * passes with one MiB less (docs/vm.md). A power of two is also what the header names exactly.
 */
export function xzDictBytes(archiveBytes: number): number {
  let dict = 4096;
  while (dict * 2 <= archiveBytes && dict < XZ_DICT_MAX_BYTES) dict *= 2;
  return dict;
}

/**
 * The host program's arguments, reading the archive on stdin and writing to stdout. Each is
 * single-threaded and records no name or time, so the output depends only on the input:
 * - xz: `-9e --check=crc32` (XZ Embedded checks CRC32 or nothing), as one LZMA2 chain whose
 *   dictionary is xzDictBytes, rather than preset 9's 64 MiB. The kernel's decoder allocates the
 *   dictionary the header names (XZ_DYNALLOC) while it unpacks the initramfs, so a large archive
 *   with a dictionary its size could not be unpacked in a small guest;
 * - zstd: `-19`, what the kernel's own usr/Makefile uses for an initramfs;
 * - lz4: `-l -9`: the kernel reads only the legacy frame format.
 */
export function compressorArgv(compression: Exclude<Compression, 'gzip'>, archiveBytes: number): string[] {
  if (compression === 'xz') return ['-T1', '--format=xz', '--check=crc32', `--lzma2=preset=9e,dict=${xzDictBytes(archiveBytes)}`, '-c'];
  if (compression === 'zstd') return ['-19', '-T1', '-q', '-c'];
  return ['-l', '-9', '-q', '-c'];
}

/** `archive` compressed with `compression` (gzip in-process, the others by their host tool). */
export async function compressArchive(archive: Uint8Array, compression: Compression): Promise<Buffer> {
  if (compression === 'gzip') return gzipArchive(archive);
  const tool = COMPRESSORS[compression].tool!;
  const result = await execa(tool, compressorArgv(compression, archive.length), { input: archive, encoding: 'buffer', stripFinalNewline: false, reject: false });
  if (result.exitCode !== 0) {
    throw new TinyxError('TINYX_COMPRESSOR_FAILED', `${tool} failed compressing the initramfs (${result.exitCode === undefined ? result.shortMessage : `exit ${result.exitCode}`}): ${Buffer.from(result.stderr).toString('utf8').trim()}`, {
      advice: `Check that \`${tool}\` works on this host, or pass --compression gzip.`,
    });
  }
  return Buffer.from(result.stdout);
}

/** gzip with a fixed level; node's zlib writes mtime 0 and no name, so output depends only on input. */
export function gzipArchive(archive: Uint8Array): Buffer {
  return gzipSync(archive, { level: 9, memLevel: 9, strategy: zlib.Z_DEFAULT_STRATEGY });
}

/** The compressions this host can make: gzip always, the others when their tool runs. */
export async function availableCompressions(): Promise<Compression[]> {
  const found = await Promise.all(COMPRESSIONS.map(async (c) => {
    const tool = COMPRESSORS[c].tool;
    if (!tool) return c;
    const probe = await execa(tool, ['--version'], { reject: false, stdin: 'ignore' });
    return probe.exitCode === 0 ? c : undefined;
  }));
  return found.filter((c): c is Compression => c !== undefined);
}

/** Refuses, before anything is packed or built, compressions whose tool this host lacks. */
export function checkCompressionTools(wanted: readonly Compression[], available: readonly Compression[], asked: string): void {
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length === 0) return;
  const tools = missing.map((c) => COMPRESSORS[c].tool!);
  throw new TinyxError('TINYX_COMPRESSOR_NOT_FOUND', `${asked} needs ${tools.map((t) => `\`${t}\``).join(', ')}, which ${tools.length === 1 ? 'is' : 'are'} not installed here.`, {
    advice: `Install ${tools.join(', ')} (Debian: apt-get install ${missing.map((c) => (c === 'xz' ? 'xz-utils' : c)).join(' ')}), or choose another compression (${available.join(', ')} ${available.length === 1 ? 'is' : 'are'} available).`,
  });
}

/**
 * An uncompressed archive this large is compressed once, on the final root, not for each test
 * (xz -9e takes minutes on a few hundred MB): the tests boot it uncompressed, which the kernel
 * unpacks whatever its RD_ options, and auto picks the compressor on a sample. The bundled
 * examples' archives (2-40 MB) stay below it.
 */
export const LARGE_ARCHIVE_BYTES = 64 << 20;

/**
 * Pure: up to `slices` slices of `sliceBytes` spread evenly over the archive, joined: what auto
 * compares the compressors on for a large archive (the whole archive when it is no larger).
 */
export function archiveSample(archive: Uint8Array, slices = 8, sliceBytes = 1 << 20): Uint8Array {
  if (archive.length <= slices * sliceBytes) return archive;
  const step = Math.floor((archive.length - sliceBytes) / (slices - 1));
  const sample = new Uint8Array(slices * sliceBytes);
  for (let i = 0; i < slices; i++) sample.set(archive.subarray(i * step, i * step + sliceBytes), i * sliceBytes);
  return sample;
}

/** One compressed archive: its compression and size. */
export interface Compressed {
  compression: Compression;
  bytes: number;
}

/** Pure: the smallest (exact bytes); a tie goes to the faster decompressor (COMPRESSORS' order). */
export function smallest<T extends Compressed>(results: readonly T[]): T {
  const speed = Object.keys(COMPRESSORS);
  const sorted = [...results].sort((a, b) => a.bytes - b.bytes || speed.indexOf(a.compression) - speed.indexOf(b.compression));
  if (!sorted[0]) throw new Error('smallest: no compressed archive to choose from');
  return sorted[0];
}

/**
 * `config` with the kernel able to unpack an initramfs of `compression` (its RD_ option on) and
 * compressed itself by the same compressor (the choice member on, the others off); it still needs
 * olddefconfig.
 */
export function withCompression(config: DotConfig, compression: Compression): DotConfig {
  const { initramfsOption, kernelOption } = COMPRESSORS[compression];
  const next = new Map(config);
  for (const member of KERNEL_COMPRESSION_MEMBERS) next.set(member, member === kernelOption ? 'y' : 'n');
  next.set(initramfsOption, 'y');
  return next;
}
