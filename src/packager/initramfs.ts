// buildInitramfs: manifest + the init (BusyBox + generated rc, or tinyx's own) -> a deterministic compressed cpio on disk (gzip, xz, zstd or lz4).
import { readFile } from 'node:fs/promises';
import type { Manifest } from '../deps/manifest.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic } from '../util/fsx.js';
import { hostAccounts, type Accounts } from './accounts.js';
import { findBusybox } from './busybox.js';
import { findTinyxInit } from './tinyx-init.js';
import { compressArchive, type Compression } from './compress.js';
import { encodeCpio, type CpioEntry } from './cpio.js';
import type { InitSpec } from './init.js';
import { partBytes, type PartBytes } from './parts.js';
import { planRootfs, type RootfsNode } from './rootfs.js';
import { writeSquashfs } from './squashfs.js';

export type { InitSpec } from './init.js';

export interface InitramfsResult {
  file: string;
  /** The run's compression: the kernel's RD_ option and its own compression. */
  compression: Compression;
  /**
   * The file is the archive uncompressed (a large archive, for the tests: the kernel unpacks a
   * plain cpio whatever its RD_ options); it is compressed with `compression` once, on the final root.
   */
  plain?: true;
  /**
   * The file is a read-only squashfs image the guest boots from a disk, not an archive (--root disk),
   * compressed with `compression` (with `plain`, at the fast level the tests take; the final root
   * is compressed once at the shipped level).
   */
  disk?: true;
  /** Size of the compressed archive. */
  bytes: number;
  uncompressedBytes: number;
  sha256: string;
  /** Number of archive members (the trailer not counted). */
  entries: number;
  /** The uncompressed archive by part (app, libraries, init, other): compression mixes them, so only its total is known. */
  parts: PartBytes;
}

/**
 * What goes in the archive: the app's manifest, the init, the accounts, and per `init.kind` BusyBox
 * (default: found on the host) or tinyx's init (default: the one the set-up compiled).
 */
export interface PackOptions { manifest: Manifest; init: InitSpec; busybox?: string; tinyxInit?: string; accounts?: Accounts }

/** The uncompressed newc archive, before any compression: what every compressor is given. */
export interface PackedArchive {
  archive: Buffer;
  entries: number;
  parts: PartBytes;
  /** The archive's members, as a disk image is written from them. */
  members: CpioEntry[];
}

/** `accounts` defaults to the host's system accounts plus init.user (see accounts.ts); `compression` to gzip. */
export async function buildInitramfs(options: PackOptions & { outFile: string; compression?: Compression }): Promise<InitramfsResult> {
  return writeInitramfs(await packArchive(options), options.compression ?? 'gzip', options.outFile);
}

export async function packArchive(options: PackOptions): Promise<PackedArchive> {
  return packPlanned(await planArchive(options));
}

/** The rootfs as planned, each node with its archive entry (file contents read): what the rootfs stage packs subsets of. */
export interface PlannedArchive {
  nodes: RootfsNode[];
  entries: CpioEntry[];
}

export async function planArchive(options: PackOptions): Promise<PlannedArchive> {
  const init = (options.init.kind ?? 'busybox') === 'tinyx'
    ? { tinyxInitHostPath: await findTinyxInit(options.tinyxInit) }
    : { busyboxHostPath: await findBusybox(options.busybox) };
  const accounts = options.accounts ?? (await hostAccounts(options.init.user ? [options.init.user] : []));
  const nodes = planRootfs({ manifest: options.manifest, init: options.init, ...init, accounts });
  return { nodes, entries: await Promise.all(nodes.map(toCpioEntry)) };
}

/**
 * The planned archive without the nodes at `omit` and with the contents in `replace` (a path's
 * stripped copy) instead of the planned ones.
 */
export function packPlanned(planned: PlannedArchive, omit: ReadonlySet<string> = new Set(), replace: ReadonlyMap<string, Uint8Array> = new Map()): PackedArchive {
  const nodes: RootfsNode[] = [];
  const entries: CpioEntry[] = [];
  planned.nodes.forEach((node, i) => {
    if (omit.has(node.path)) return;
    const data = replace.get(node.path);
    nodes.push(node);
    entries.push(data ? { ...planned.entries[i]!, data: Buffer.from(data) } : planned.entries[i]!);
  });
  return { archive: encodeCpio(entries), entries: entries.length, parts: partBytes(nodes, entries), members: entries };
}

/** The archive compressed, written to `outFile`. */
export async function writeInitramfs(packed: Omit<PackedArchive, 'members'>, compression: Compression, outFile: string): Promise<InitramfsResult> {
  const compressed = await compressArchive(packed.archive, compression);
  await writeFileAtomic(outFile, compressed);
  return {
    file: outFile, compression, bytes: compressed.length, uncompressedBytes: packed.archive.length, sha256: sha256(compressed),
    entries: packed.entries, parts: packed.parts,
  };
}

/** The archive written uncompressed, for the tests of a run whose final root `compression` will pack. */
export async function writePlainInitramfs(packed: PackedArchive, compression: Compression, outFile: string): Promise<InitramfsResult> {
  await writeFileAtomic(outFile, packed.archive);
  return {
    file: outFile, compression, plain: true, bytes: packed.archive.length, uncompressedBytes: packed.archive.length, sha256: sha256(packed.archive),
    entries: packed.entries, parts: packed.parts,
  };
}

/**
 * The archive's members as a squashfs image on `outFile`, compressed with `compression`: `fast` for
 * the tests' images (a low level; the result is `plain`, to be written once more at the shipped level).
 */
export async function writeDiskRoot(packed: PackedArchive, compression: Compression, outFile: string, fast: boolean, signal?: AbortSignal): Promise<InitramfsResult> {
  const image = await writeSquashfs(packed.members, { compression, fast, outFile, signal });
  return {
    file: image.file, compression, disk: true, ...(fast ? { plain: true as const } : {}), bytes: image.bytes, uncompressedBytes: packed.archive.length, sha256: image.sha256,
    entries: packed.entries, parts: packed.parts,
  };
}

async function toCpioEntry(node: RootfsNode): Promise<CpioEntry> {
  const base = { path: node.path, kind: node.kind, mode: node.mode, uid: node.uid, gid: node.gid };
  if (node.kind === 'file') {
    const data = node.data !== undefined ? Buffer.from(node.data) : node.hostPath ? await readFile(node.hostPath) : Buffer.alloc(0);
    return { ...base, data };
  }
  if (node.kind === 'symlink') return { ...base, target: node.target };
  if (node.kind === 'char') return { ...base, major: node.major, minor: node.minor };
  return base;
}
