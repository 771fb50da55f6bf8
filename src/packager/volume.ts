// A guest's data volume: an ext4 image seeded from a host directory (owners and modes kept) by e2fsprogs' mkfs.ext4 -d, and what is in one read back with debugfs.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { tail } from '../kconfig/kernel.js';
import { isExecutableFile, syncFile } from '../util/fsx.js';
import { quote } from '../util/shell.js';
import { sha256 } from '../util/hash.js';

/** The volume's file system label. */
export const VOLUME_LABEL = 'tinyx-data';

const MIB = 1 << 20;
/** The volume's creation and check times (E2FSPROGS_FAKE_TIME), so the same seed gives the same bytes: 2020-01-01. */
const FAKE_TIME = 1577836800;
/** What each inode of the seed is allowed beside its bytes (its directory entry, its metadata, a directory's block). */
const INODE_ALLOWANCE = 4096;
/** Room the guest has beyond twice the seed, for a small seed. */
const HEADROOM = 64 * MIB;

export interface VolumeFile {
  file: string;
  bytes: number;
}

export interface VolumeStat {
  uid: number;
  gid: number;
  /** Permission bits (the file type is `kind`). */
  mode: number;
  kind: 'file' | 'dir' | 'symlink' | 'other';
}

/** What a host directory holds, for the volume's size: its files' bytes and its inodes (itself, every directory, file, link...). */
export interface TreeUsage {
  bytes: number;
  inodes: number;
}

/** Pure: the volume's size for a seed: (bytes + 4 KiB per inode) x 2 + 64 MiB, rounded up to a MiB. */
export function volumeBytes(usage: TreeUsage): number {
  return Math.ceil((2 * (usage.bytes + INODE_ALLOWANCE * usage.inodes) + HEADROOM) / MIB) * MIB;
}

/** The regular files' sizes (st_size) and the number of inodes under `dir`, `dir` counted; symlinks are not followed. */
export async function treeUsage(dir: string): Promise<TreeUsage> {
  let bytes = 0;
  let inodes = 1;
  const pending = [dir];
  for (let at = pending.pop(); at !== undefined; at = pending.pop()) {
    for (const child of await readdir(at, { withFileTypes: true })) {
      const file = path.join(at, child.name);
      inodes += 1;
      if (child.isDirectory()) pending.push(file);
      else if (child.isFile()) bytes += (await lstat(file)).size;
    }
  }
  return { bytes, inodes };
}

/** Before any work: the e2fsprogs tools are here and each seed is a directory (a TINYX_USAGE error names the first that is not). */
export async function checkVolumeSeeds(dirs: readonly string[]): Promise<void> {
  await checkVolumeTools();
  for (const dir of dirs) {
    const found = await stat(dir).catch(() => undefined);
    if (!found?.isDirectory()) {
      throw new TinyxError('TINYX_USAGE', `--volume: ${dir} is ${found ? 'not a directory' : 'missing'}.`, {
        advice: 'Give --volume HOST_DIR:GUEST_DIR an existing host directory (an empty one for an empty volume).',
      });
    }
  }
}

/**
 * An ext4 image at `outFile` (written to a temp name beside it, then renamed) holding `hostDir`'s
 * tree: each file, directory and symlink with its owner and mode (mkfs.ext4 -d copies them), the
 * root with `hostDir`'s own (root_owner, then its mode set with debugfs: mke2fs 1.47.0 makes the
 * root 0755 whatever the source's). Its size is volumeBytes of the tree; the file is sparse, so
 * what the disk holds is about the seed plus the file system's metadata. One inode per 4 KiB,
 * like mke2fs's small file systems, so a seed of many small files fits at any size.
 */
export async function makeVolume(hostDir: string, outFile: string, signal?: AbortSignal): Promise<VolumeFile> {
  const root = await stat(hostDir).catch(() => undefined);
  if (!root?.isDirectory()) {
    throw new TinyxError('TINYX_USAGE', `A volume's seed must be a directory: ${hostDir} is ${root ? 'not one' : 'missing'}.`, {
      advice: 'Name a host directory whose contents the guest sees in the volume.',
    });
  }
  const bytes = volumeBytes(await treeUsage(hostDir));
  await mkdir(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, '');
    await truncate(tmp, bytes);
    // The same seed gives the same image (its sha256 is part of every verdict's key, so a resumed run
    // replays them): a UUID and hash seed from the seed's path, the file system's times fixed.
    const uuid = sha256(`tinyx volume ${path.resolve(hostDir)}`).slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    await e2fs('mkfs.ext4', [
      '-q', '-F', '-d', hostDir, '-L', VOLUME_LABEL, '-i', '4096', '-U', uuid, '-E', `root_owner=${root.uid}:${root.gid},hash_seed=${uuid}`, tmp, `${bytes / 1024}k`,
    ], `making the volume ${outFile} from ${hostDir}`, signal, { E2FSPROGS_FAKE_TIME: String(FAKE_TIME) });
    await debugfs(tmp, `set_inode_field / mode 0${(0o040000 | (root.mode & 0o7777)).toString(8)}`, { write: true, signal });
    await syncFile(tmp);
    await rename(tmp, outFile);
    return { file: outFile, bytes };
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * A volume a guest used, made readable as the guest left it: the guest is stopped, not shut down,
 * so what the app fsync'ed may still be only in ext4's journal, which debugfs does not read. The
 * journal is replayed (`e2fsck -E journal_only`), as the next mount would.
 */
export async function settleVolume(image: string, signal?: AbortSignal): Promise<void> {
  const program = await findTool('e2fsck');
  if (!program) throw toolMissing(['e2fsck']);
  const run = await execa(program, ['-y', '-E', 'journal_only', image], { reject: false, stdin: 'ignore', all: true, cancelSignal: signal });
  if (run.isCanceled) throw signal?.reason ?? new Error('aborted');
  // 0: clean; 1: corrected (the journal replayed).
  if (run.exitCode !== 0 && run.exitCode !== 1) {
    throw new TinyxError('TINYX_WRITE_FAILED', `e2fsck could not replay the journal of ${image} (exit ${run.exitCode}):\n${tail((run.all ?? '').trim(), 20)}`, {
      advice: 'The guest left the volume damaged; its image is kept as it is for a look with debugfs.',
    });
  }
}

/** The contents of the regular file `guestPath` (absolute, as the guest mounts the volume at its root) in the volume. */
export async function readVolumeFile(image: string, guestPath: string): Promise<Buffer> {
  const info = await volumeStat(image, guestPath);
  if (info.kind !== 'file') {
    throw new TinyxError('TINYX_USAGE', `${guestPath} in the volume ${image} is a ${info.kind === 'dir' ? 'directory' : info.kind === 'symlink' ? 'symlink' : 'special file'}, not a regular file.`);
  }
  return debugfs(image, `cat ${requestPath(guestPath)}`);
}

/** The owner, permission bits and kind of `guestPath` in the volume (a symlink itself, not what it names). */
export async function volumeStat(image: string, guestPath: string): Promise<VolumeStat> {
  return parseDebugfsStat((await debugfs(image, `stat ${requestPath(guestPath)}`)).toString('utf8'), `${guestPath} in ${image}`);
}

/** Pure: the owner, mode and kind from `debugfs -R stat`'s output ("Type: directory    Mode:  0700", "User:  1234   Group:  1234"). */
export function parseDebugfsStat(text: string, what: string): VolumeStat {
  const type = /\bType: (\S+)\s+Mode:\s+([0-7]+)/.exec(text);
  const owner = /\bUser:\s+(\d+)\s+Group:\s+(\d+)/.exec(text);
  if (!type || !owner) throw new TinyxError('TINYX_INTERNAL', `debugfs's stat of ${what} has no type, mode or owner:\n${tail(text.trim(), 10)}`);
  const kinds: Record<string, VolumeStat['kind']> = { regular: 'file', directory: 'dir', symlink: 'symlink' };
  return { uid: Number(owner[1]), gid: Number(owner[2]), mode: parseInt(type[2]!, 8) & 0o7777, kind: kinds[type[1]!] ?? 'other' };
}

/** e2fsprogs' mkfs.ext4 and debugfs, checked before anything is built. */
export async function checkVolumeTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['mkfs.ext4', 'debugfs']) if (!(await findTool(tool))) missing.push(tool);
  if (missing.length > 0) throw toolMissing(missing);
}

/**
 * Pure: the shell command that copies a volume's contents into a new directory beside it, without
 * root (debugfs reads the image file itself; as a user it warns that it cannot give the files
 * their owners, and they are the user's, modes kept).
 */
export function volumeReadBackHint(image: string): string {
  const dir = `${path.basename(image).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'volume'}-contents`;
  return `mkdir -p ${dir} && debugfs -R "rdump / ${dir}" ${quote(image)}`;
}

/** The path as a debugfs request spells it: absolute, in double quotes (a quote doubled); a newline cannot be spelled. */
function requestPath(guestPath: string): string {
  if (guestPath.includes('\n')) throw new TinyxError('TINYX_USAGE', `debugfs cannot name ${JSON.stringify(guestPath)} (a newline).`);
  const absolute = guestPath.startsWith('/') ? guestPath : `/${guestPath}`;
  return `"${absolute.replace(/"/g, '""')}"`;
}

/**
 * `debugfs -R request image` (with `write`, -w), its stdout. debugfs exits 0 whatever happens and
 * says what went wrong on stderr after its version line, so any other stderr line is a failure:
 * "File not found by ext2_lookup" an absent path.
 */
async function debugfs(image: string, request: string, options: { write?: boolean; signal?: AbortSignal } = {}): Promise<Buffer> {
  const program = await findTool('debugfs');
  if (!program) throw toolMissing(['debugfs']);
  const run = await execa(program, [...(options.write ? ['-w'] : []), '-R', request, image], {
    reject: false, stdin: 'ignore', encoding: 'buffer', stripFinalNewline: false, maxBuffer: 2 ** 31 - 1, cancelSignal: options.signal, env: { DEBUGFS_PAGER: '__none__' },
  });
  if (run.isCanceled) throw options.signal?.reason ?? new Error('aborted');
  const complaints = Buffer.from(run.stderr).toString('utf8').split('\n').filter((line) => line.trim() !== '' && !/^debugfs \d/.test(line));
  const notFound = complaints.find((line) => line.includes('File not found by ext2_lookup'));
  if (notFound) throw new TinyxError('TINYX_USAGE', `No such file in the volume ${image}: ${notFound.replace(/:\s*File not found by ext2_lookup\s*$/, '')}.`);
  if (run.failed || complaints.length > 0) {
    throw new TinyxError('TINYX_INTERNAL', `debugfs -R '${request}' ${image} failed:\n${tail(complaints.join('\n') || (run.shortMessage ?? ''), 20)}`, {
      advice: 'Check that the file is an ext4 image (e2fsck -fn IMAGE).',
    });
  }
  return Buffer.from(run.stdout);
}

/** Runs an e2fsprogs program; a missing one, or a failed run, is a TinyxError; a cancelled one the signal's reason. */
async function e2fs(tool: string, args: string[], doing: string, signal?: AbortSignal, env?: Record<string, string>): Promise<void> {
  const program = await findTool(tool);
  if (!program) throw toolMissing([tool]);
  const run = await execa(program, args, { reject: false, stdin: 'ignore', all: true, cancelSignal: signal, ...(env ? { env } : {}) });
  if (run.isCanceled) throw signal?.reason ?? new Error('aborted');
  if (run.failed) {
    throw new TinyxError('TINYX_WRITE_FAILED', `${tool} failed ${doing} (${run.exitCode === undefined ? run.shortMessage : `exit ${run.exitCode}`}):\n${tail((run.all ?? '').trim(), 20)}`, {
      advice: 'Check that the seed directory is readable by this user and that the disk has room.',
    });
  }
}

/** The program on PATH, else in /usr/sbin or /sbin (where e2fsprogs puts them, off a Debian user's PATH). */
async function findTool(tool: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, tool);
    if (await isExecutableFile(file)) return file;
  }
  return undefined;
}

function toolMissing(tools: string[]): TinyxError {
  return new TinyxError('TINYX_USAGE', `${tools.join(' and ')} (e2fsprogs) ${tools.length === 1 ? 'is' : 'are'} not installed here: data volumes are ext4 images they make and read.`, {
    advice: 'Install them: apt-get install e2fsprogs (as root).',
  });
}
