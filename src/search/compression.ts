// The run's compression, chosen up front (auto: the smallest initramfs), and the compression stage: the final VM with each other compressor, built and booted for the report.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  archiveSample, availableCompressions, checkCompressionTools, compressArchive, initramfsFileName, LARGE_ARCHIVE_BYTES, smallest, withCompression,
  type Compressed, type Compression, type CompressionChoice,
} from '../packager/compress.js';
import { writeDiskRoot, writeInitramfs, writePlainInitramfs, type InitramfsResult, type PackedArchive } from '../packager/initramfs.js';
import type { BootTiming } from '../tester/verdict.js';
import type { Verdict, VerdictStatus } from '../tester/verdict.js';
import type { BootVariant, Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import type { KernelOptions, SearchOptions } from '../plan/request.js';

/** What the inputs stage settles: the compression asked for, what this host can make, what the comparison wants. */
export interface CompressionPlan {
  asked: CompressionChoice;
  available: Compression[];
  /** --compare-compression as given (undefined: every other available one). */
  compare?: Compression[];
}

/** Refuses, before anything is packed or built, a compression (asked or to compare) whose tool this host lacks. */
export async function planCompression(options: Pick<KernelOptions, 'profile' | 'compression'> & Pick<SearchOptions, 'compareCompression'>): Promise<CompressionPlan> {
  const asked = options.compression ?? options.profile.packaging.compression;
  const available = await availableCompressions();
  if (asked !== 'auto') checkCompressionTools([asked], available, options.compression ? `--compression ${asked}` : `The profile's packaging.compression (${asked})`);
  if (options.compareCompression) checkCompressionTools(options.compareCompression, available, `--compare-compression ${options.compareCompression.join(',')}`);
  return { asked, available, ...(options.compareCompression ? { compare: options.compareCompression } : {}) };
}

/** The initramfs stage's outcome: the run's initramfs, and the same archive in each compression to compare. */
export interface PackedInitramfs {
  initramfs: InitramfsResult;
  /** The other compressions the compression stage boots, each written beside the run's. */
  others: InitramfsResult[];
  /** Every compression the archive was compressed with, smallest first. */
  sizes: Compressed[];
}

/**
 * Compresses the archive with what the plan needs (auto: every available compressor; else the
 * one asked for; plus those to compare), writes each to `dir` and takes the run's: the asked one,
 * or with auto the smallest (exact bytes; a tie goes to the faster to unpack). An archive of
 * `largeBytes` or more is written uncompressed instead (packLarge).
 */
export async function compressInitramfs(plan: CompressionPlan, packed: PackedArchive, dir: string, emit: EventListener, largeBytes = LARGE_ARCHIVE_BYTES): Promise<PackedInitramfs> {
  if (packed.archive.length >= largeBytes) return packLarge(plan, packed, dir, emit);
  const tried = plan.asked === 'auto' ? plan.available : [plan.asked];
  const wanted = [...new Set([...tried, ...(plan.compare ?? plan.available)])];
  const written: InitramfsResult[] = [];
  // One at a time: xz -9e and zstd -19 each keep a core busy for seconds.
  for (const compression of wanted) written.push(await writeInitramfs(packed, compression, path.join(dir, initramfsFileName(compression))));
  const initramfs = plan.asked === 'auto' ? smallest(written.filter((w) => tried.includes(w.compression))) : written.find((w) => w.compression === plan.asked)!;
  const sizes = [...written].sort((a, b) => a.bytes - b.bytes).map(({ compression, bytes }) => ({ compression, bytes }));
  const listed = sizes.map((s) => `${s.compression} ${s.bytes}`).join(', ');
  emit({
    type: 'info', message: plan.asked === 'auto'
      ? `initramfs: ${initramfs.compression}, ${initramfs.bytes} bytes (auto: the smallest of ${listed}); the kernel is compressed with ${initramfs.compression} too`
      : `initramfs: ${initramfs.compression}, ${initramfs.bytes} bytes (as asked; ${listed}); the kernel is compressed with ${initramfs.compression} too`,
  });
  if (plan.compare?.includes(initramfs.compression)) {
    emit({ type: 'info', message: `--compare-compression names ${initramfs.compression}, the run's own compression: it is the shipped row of the comparison` });
  }
  const compare = (plan.compare ?? plan.available).filter((c) => c !== initramfs.compression);
  return { initramfs, others: written.filter((w) => compare.includes(w.compression)), sizes };
}

/**
 * A large archive: written uncompressed for the tests, so no test waits on a compressor; auto
 * compares the compressors on a sample (archiveSample), the sizes it reports scaled to the whole
 * archive; only the compressions --compare-compression names are compressed whole (the default
 * comparison of every other one is left out). The final root is compressed once (shipInitramfs).
 */
async function packLarge(plan: CompressionPlan, packed: PackedArchive, dir: string, emit: EventListener): Promise<PackedInitramfs> {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const { archive } = packed;
  const sizes: Compressed[] = [];
  let compression: Compression;
  if (plan.asked === 'auto') {
    const sample = archiveSample(archive);
    const scale = archive.length / sample.length;
    for (const c of plan.available) sizes.push({ compression: c, bytes: Math.round((await compressArchive(sample, c)).length * scale) });
    sizes.sort((a, b) => a.bytes - b.bytes);
    compression = smallest(sizes).compression;
    emit({ type: 'info', message: `initramfs: ${mib(archive.length)} uncompressed, too large to compress for each test: the tests boot it uncompressed, and the final root is compressed once with ${compression} (auto: the smallest on a ${mib(sample.length)} sample, estimated ${sizes.map((s) => `${s.compression} ${mib(s.bytes)}`).join(', ')})` });
  } else {
    compression = plan.asked;
    emit({ type: 'info', message: `initramfs: ${mib(archive.length)} uncompressed, too large to compress for each test: the tests boot it uncompressed, and the final root is compressed once with ${compression} (as asked)` });
  }
  const initramfs = await writePlainInitramfs(packed, compression, path.join(dir, 'initramfs.cpio'));
  const others: InitramfsResult[] = [];
  for (const c of (plan.compare ?? []).filter((c) => c !== compression)) others.push(await writeInitramfs(packed, c, path.join(dir, initramfsFileName(c))));
  if (!plan.compare) emit({ type: 'info', message: 'the other compressions are not compared for an archive this large (--compare-compression names those to compare)' });
  return { initramfs, others, sizes };
}

/** A disk root's file name in the out dir and the run's scratch dir. */
export const DISK_ROOT_FILE = 'rootfs.squashfs';

/**
 * A disk root (--root disk): a squashfs image, compressed with the asked compression (auto: zstd,
 * which unpacks fast and small, else gzip) at a fast level for the tests; the final root is written
 * once at the shipped level (shipDiskRoot). The other compressions are not compared.
 */
export async function packDisk(plan: CompressionPlan, packed: PackedArchive, dir: string, emit: EventListener, signal?: AbortSignal): Promise<PackedInitramfs> {
  const compression: Compression = plan.asked !== 'auto' ? plan.asked : plan.available.includes('zstd') ? 'zstd' : 'gzip';
  const began = Date.now();
  const initramfs = await writeDiskRoot(packed, compression, path.join(dir, DISK_ROOT_FILE), true, signal);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  emit({ type: 'info', message: `disk root: squashfs with ${compression} (${plan.asked === 'auto' ? 'auto: zstd for a disk root' : 'as asked'}), ${mib(packed.archive.length)} -> ${mib(initramfs.bytes)} at the tests' fast level in ${((Date.now() - began) / 1000).toFixed(1)} s; the final root is compressed once at the shipped level` });
  if (plan.compare?.length) emit({ type: 'info', message: 'a disk root is not compared with other compressions (--compare-compression is for an initramfs)' });
  return { initramfs, others: [], sizes: [{ compression, bytes: initramfs.bytes }] };
}

/** The run's root from `packed`: a disk image (packDisk) or a compressed initramfs (compressInitramfs), as `disk` says. */
export async function packRoot(plan: CompressionPlan, packed: PackedArchive, dir: string, emit: EventListener, disk: boolean, signal?: AbortSignal): Promise<PackedInitramfs> {
  return disk ? packDisk(plan, packed, dir, emit, signal) : compressInitramfs(plan, packed, dir, emit);
}

/** The final disk root, written once at the shipped level from the archive the tests' image was written from. */
export async function shipDiskRoot(packed: PackedArchive, tested: InitramfsResult, dir: string, signal?: AbortSignal): Promise<InitramfsResult> {
  return writeDiskRoot(packed, tested.compression, path.join(dir, `shipped-${DISK_ROOT_FILE}`), false, signal);
}

/**
 * The final root of a run whose tests booted it uncompressed, compressed once with the run's
 * compression: what ships, and what the result's last boots (re-checks, memory) take.
 */
export async function shipInitramfs(plain: InitramfsResult, dir: string): Promise<InitramfsResult> {
  const archive = await readFile(plain.file);
  return writeInitramfs({ archive, entries: plain.entries, parts: plain.parts }, plain.compression, path.join(dir, initramfsFileName(plain.compression)));
}

/** One compressor's VM in the comparison: the final config with the kernel and the initramfs compressed so. */
export interface CompressionRow {
  compression: Compression;
  /** The searched result, as shipped; the other rows are the comparison. */
  shipped: boolean;
  status: VerdictStatus;
  reason: string;
  /** Absent when the config did not build. */
  bzImageBytes?: number;
  initramfsBytes: number;
  /** bzImage + initramfs: what the VM takes on disk. */
  totalBytes?: number;
  /** QEMU start to init, to the app, to its port (the shipped VM's: the median of its re-checks). */
  boot?: BootTiming;
}

/** report.json's `compression`: the run's choice, the sizes it chose from, and the compared VMs. */
export interface CompressionComparison {
  /** What --compression (or the profile's packaging.compression) asked for, and what the run used. */
  asked: CompressionChoice;
  used: Compression;
  /** The initramfs in each compression it was compressed with, smallest first (auto: every one this host has): the archive the choice was made from, before the rootfs stage. */
  initramfs: Compressed[];
  /** The shipped VM first, then one per compared compressor. */
  rows: CompressionRow[];
  /** A compared VM that passed and is smaller in total than the shipped one (the smallest such), and the flag that gives it. */
  smaller?: { compression: Compression; totalBytes: number; savedBytes: number; flag: string };
}

/** What the stage asks of an Evaluator. */
export interface CompressionEvaluator {
  normalize(config: Normalized['config']): Promise<Normalized>;
  evaluate(candidate: Normalized, cmdline: string, label: string, variant?: BootVariant): Promise<Verdict>;
}

export interface CompareInput {
  evaluator: CompressionEvaluator;
  /** The searched result: its config and command line. */
  final: Normalized;
  cmdline: string;
  shipped: { initramfs: InitramfsResult; bzImageBytes: number; boot?: BootTiming };
  others: InitramfsResult[];
  /** The size of a built kernel, by config hash (the artifact store's bzImage). */
  bzImageBytes(hash: string, verdict: Verdict): Promise<number | undefined>;
}

/**
 * Each other compressor c: the final config with the kernel choice set to c and RD_c on (the
 * search's result otherwise unchanged), booted with the initramfs packed with c, by the run's
 * tests. The shipped result stays the searched one: switching after the search would void its
 * 1-minimality, so a smaller compared VM is only reported, with the flag that searches it.
 */
export async function compareCompressions(input: CompareInput): Promise<CompressionRow[]> {
  const { evaluator, final, cmdline, shipped } = input;
  const own: CompressionRow = {
    compression: shipped.initramfs.compression, shipped: true, status: 'pass', reason: 'the searched result, re-checked',
    bzImageBytes: shipped.bzImageBytes, initramfsBytes: shipped.initramfs.bytes, totalBytes: shipped.bzImageBytes + shipped.initramfs.bytes,
    ...(shipped.boot ? { boot: shipped.boot } : {}),
  };
  const rows = await Promise.all(input.others.map(async (other): Promise<CompressionRow> => {
    const candidate = await evaluator.normalize(withCompression(final.config, other.compression));
    const verdict = await evaluator.evaluate(candidate, cmdline, `compression ${other.compression}`, { initramfs: { file: other.file, sha256: other.sha256 } });
    const bzImageBytes = verdict.status === 'build-error' ? undefined : await input.bzImageBytes(candidate.hash, verdict);
    return {
      compression: other.compression, shipped: false, status: verdict.status, reason: verdict.reason,
      ...(bzImageBytes !== undefined ? { bzImageBytes, totalBytes: bzImageBytes + other.bytes } : {}),
      initramfsBytes: other.bytes, ...(verdict.timing ? { boot: verdict.timing } : {}),
    };
  }));
  return [own, ...rows];
}

/** Pure: the smallest passing compared VM, if it is smaller in total than the shipped one. */
export function smallerThanShipped(rows: readonly CompressionRow[]): CompressionComparison['smaller'] {
  const own = rows.find((r) => r.shipped);
  if (own?.totalBytes === undefined) return undefined;
  const better = rows
    .filter((r): r is CompressionRow & { totalBytes: number } => !r.shipped && r.status === 'pass' && r.totalBytes !== undefined && r.totalBytes < own.totalBytes!)
    .sort((a, b) => a.totalBytes - b.totalBytes)[0];
  return better ? { compression: better.compression, totalBytes: better.totalBytes, savedBytes: own.totalBytes - better.totalBytes, flag: `--compression ${better.compression}` } : undefined;
}
