// The guest's root as a read-only squashfs image (booted from a virtio disk instead of an initramfs): the entries staged on disk, owners and modes from a pseudo file, mksquashfs.
import { mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { tail } from '../kconfig/kernel.js';
import { sha256File } from '../util/hash.js';
import { syncFile } from '../util/fsx.js';
import type { Compression } from './compress.js';
import type { CpioEntry } from './cpio.js';

/** The kernel option that lets the guest mount a squashfs compressed so (fs/squashfs/Kconfig). */
export const SQUASHFS_OPTION: Record<Compression, string> = {
  gzip: 'SQUASHFS_ZLIB',
  xz: 'SQUASHFS_XZ',
  zstd: 'SQUASHFS_ZSTD',
  lz4: 'SQUASHFS_LZ4',
};

export interface SquashfsOptions {
  compression: Compression;
  /** A quick image for the tests (lowest levels); false: the shipped image (highest levels). */
  fast: boolean;
  outFile: string;
  signal?: AbortSignal;
}

export interface SquashfsResult {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * mksquashfs's compressor options: fast, gzip and zstd at level 1 (lz4 and xz as they come); the
 * shipped image, gzip 9, zstd 19, lz4 high compression, xz its default.
 */
export function squashfsCompressorArgs(compression: Compression, fast: boolean): string[] {
  if (compression === 'gzip') return ['-Xcompression-level', fast ? '1' : '9'];
  if (compression === 'zstd') return ['-Xcompression-level', fast ? '1' : '19'];
  if (compression === 'lz4') return fast ? [] : ['-Xhc'];
  return [];
}

/**
 * Writes `entries` as a squashfs image at `outFile` (atomically: a temp name, then a rename). The
 * tree is staged in a temp dir beside `outFile` (directories a path needs but no entry lists are
 * made 0755, owned by root), char devices are not made there but defined in the pseudo file, which
 * also gives every staged path the entry's owner and mode; the root is 0755, owned by root. Every
 * time is 0 and mksquashfs's output is reproducible, so the same entries give the same bytes.
 */
export async function writeSquashfs(entries: readonly CpioEntry[], options: SquashfsOptions): Promise<SquashfsResult> {
  const { compression, fast, outFile, signal } = options;
  const outDir = path.dirname(outFile);
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(path.join(outDir, '.squashfs-'));
  try {
    const stage = path.join(work, 'root');
    const pseudo = path.join(work, 'pseudo');
    const image = path.join(work, 'image');
    await mkdir(stage);
    await writeFile(pseudo, await stageEntries(entries, stage));
    await mksquashfs([
      stage, image, '-noappend', '-exit-on-error', '-no-xattrs',
      '-all-time', '0', '-mkfs-time', '0', '-root-mode', '755', '-root-uid', '0', '-root-gid', '0',
      '-comp', compression, ...squashfsCompressorArgs(compression, fast),
      '-pf', pseudo, '-quiet', '-no-progress',
    ], signal);
    await syncFile(image);
    const [bytes, digest] = [(await stat(image)).size, await sha256File(image)];
    await rename(image, outFile);
    return { file: outFile, bytes, sha256: digest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Pure: one line of a mksquashfs (4.5.1) pseudo file: `name m mode uid gid` (the staged path's
 * owner and mode) or `name c mode uid gid major minor` (a char device), the mode in octal, the name
 * relative to the image's root. 4.5.1 refuses the timed `M` on a directory that has definitions
 * below it ("already exists as a non directory"; fixed in 4.7.5), so the untimed forms are used:
 * -all-time sets every time anyway.
 */
export function pseudoLine(entry: Pick<CpioEntry, 'path' | 'kind' | 'mode' | 'uid' | 'gid' | 'major' | 'minor'>): string {
  const owner = `${(entry.mode & 0o7777).toString(8)} ${entry.uid ?? 0} ${entry.gid ?? 0}`;
  const name = pseudoName(imagePath(entry.path));
  return entry.kind === 'char' ? `${name} c ${owner} ${entry.major ?? 0} ${entry.minor ?? 0}` : `${name} m ${owner}`;
}

/**
 * Pure: a name as a pseudo file spells it. mksquashfs reads a name up to the first unquoted white
 * space, drops `"` (it toggles quoting) and takes the character after a `\` literally; a line
 * starting with `#` is a comment. So white space, `"`, `\` and `#` are backslashed; a newline
 * cannot be spelled (a line ending in `\` continues on the next).
 */
export function pseudoName(name: string): string {
  if (name.includes('\n')) throw new Error(`a squashfs pseudo file cannot name ${JSON.stringify(name)} (a newline)`);
  return name.replace(/[ \t\v\f\r"\\#]/g, (c) => `\\${c}`);
}

/** The path relative to the image's root ("bin/busybox"); refuses an empty one, `.` and `..`. */
function imagePath(guestPath: string): string {
  const name = guestPath.replace(/^\/+/, '').replace(/\/+$/, '');
  if (name === '' || name.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`bad squashfs path ${JSON.stringify(guestPath)}`);
  }
  return name;
}

/** Makes the entries (char devices aside) under `stage`, and returns the pseudo file's text. */
async function stageEntries(entries: readonly CpioEntry[], stage: string): Promise<string> {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const listed = new Map<string, CpioEntry['kind']>();
  for (const entry of sorted) {
    const name = imagePath(entry.path);
    if (listed.has(name)) throw new Error(`duplicate squashfs entry ${entry.path}`);
    listed.set(name, entry.kind);
  }
  // Directories a path needs that no entry lists: root's, 0755. A path below a listed non-directory
  // is refused: staging it would follow the symlink out of the staging dir.
  const parents = new Set<string>();
  for (const name of listed.keys()) {
    for (let at = name.lastIndexOf('/'); at > 0; at = name.lastIndexOf('/', at - 1)) {
      const parent = name.slice(0, at);
      const kind = listed.get(parent);
      if (kind === undefined) parents.add(parent);
      else if (kind !== 'dir') throw new Error(`squashfs entry /${name} is below /${parent}, a ${kind}`);
    }
  }
  const lines = [...parents].sort().map((name) => pseudoLine({ path: name, kind: 'dir', mode: 0o755 }));
  for (const entry of sorted) {
    const name = imagePath(entry.path);
    const file = path.join(stage, name);
    if (entry.kind !== 'dir') await mkdir(path.dirname(file), { recursive: true });
    if (entry.kind === 'dir') await mkdir(file, { recursive: true });
    else if (entry.kind === 'file') await writeFile(file, entry.data ?? new Uint8Array());
    else if (entry.kind === 'symlink') {
      if (!entry.target) throw new Error(`symlink ${entry.path} has no target`);
      await symlink(entry.target, file);
    }
    lines.push(pseudoLine(entry));
  }
  return `${lines.join('\n')}\n`;
}

/** Runs mksquashfs; a missing program or a failed run is a TinyxError, a cancelled one the signal's reason. */
async function mksquashfs(args: string[], signal?: AbortSignal): Promise<void> {
  // SOURCE_DATE_EPOCH with -all-time or -mkfs-time is refused: the options fix the times already.
  const run = await execa('mksquashfs', args, { reject: false, stdin: 'ignore', all: true, cancelSignal: signal, env: { SOURCE_DATE_EPOCH: undefined } });
  if (run.isCanceled) throw signal?.reason ?? new Error('aborted');
  if (run.code === 'ENOENT') {
    throw new TinyxError('TINYX_COMPRESSOR_NOT_FOUND', 'mksquashfs was not found on PATH: a disk root is a squashfs image.', {
      advice: 'Install it: apt-get install squashfs-tools (as root).',
    });
  }
  if (run.failed) {
    throw new TinyxError('TINYX_COMPRESSOR_FAILED', `mksquashfs failed writing the root's squashfs image (${run.exitCode === undefined ? run.shortMessage : `exit ${run.exitCode}`}):\n${tail((run.all ?? '').trim(), 40)}`, {
      advice: 'Check that `mksquashfs` (squashfs-tools) works on this host and that the out dir\'s disk has room.',
    });
  }
}
