// Pure, deterministic cpio "newc" encoder: sorted paths, sequential inodes, mtime 0, owner root unless an entry names one.

export type CpioKind = 'file' | 'dir' | 'symlink' | 'char';

export interface CpioEntry {
  /** Absolute guest path ("/bin/busybox"); stored without the leading slash. */
  path: string;
  kind: CpioKind;
  /** Permission bits (the file type bits are derived from `kind`). */
  mode: number;
  /** File contents (kind 'file'). */
  data?: Uint8Array;
  /** Link target (kind 'symlink'). */
  target?: string;
  major?: number;
  minor?: number;
  /** Owner; root (0) unless given. */
  uid?: number;
  gid?: number;
}

const TYPE_BITS: Record<CpioKind, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, char: 0o020000 };
const TRAILER = 'TRAILER!!!';
/** "070701" and 13 fields of 8 hex digits. */
const HEADER_BYTES = 110;

/**
 * Encode entries as one newc archive. Entries are sorted by path (so a directory precedes its
 * contents) and numbered from inode 1 in that order; the same input always gives the same bytes.
 */
export function encodeCpio(entries: CpioEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  let offset = 0;
  const push = (chunk: Buffer): void => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  sorted.forEach((entry, index) => {
    const name = archiveName(entry.path);
    if (seen.has(name)) throw new Error(`duplicate cpio entry ${entry.path}`);
    seen.add(name);
    const body = entryBody(entry);
    push(header({
      ino: index + 1,
      mode: TYPE_BITS[entry.kind] | (entry.mode & 0o7777),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      nlink: entry.kind === 'dir' ? 2 : 1,
      filesize: body.length,
      rdevmajor: entry.kind === 'char' ? (entry.major ?? 0) : 0,
      rdevminor: entry.kind === 'char' ? (entry.minor ?? 0) : 0,
      namesize: Buffer.byteLength(name) + 1,
    }));
    push(Buffer.from(`${name}\0`));
    push(padding(offset));
    push(body);
    push(padding(offset));
  });
  push(header({ ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, filesize: 0, rdevmajor: 0, rdevminor: 0, namesize: TRAILER.length + 1 }));
  push(Buffer.from(`${TRAILER}\0`));
  push(padding(offset));
  return Buffer.concat(chunks);
}

/** Bytes one entry takes in the archive that encodeCpio writes: its header and name, then its data, each padded to 4. */
export function memberBytes(entry: CpioEntry): number {
  const bodyBytes = entry.kind === 'file' ? (entry.data?.length ?? 0) : entry.kind === 'symlink' ? Buffer.byteLength(entry.target ?? '') : 0;
  return align4(HEADER_BYTES + Buffer.byteLength(archiveName(entry.path)) + 1) + align4(bodyBytes);
}

/** Bytes of the trailer that ends every archive. */
export const TRAILER_BYTES = align4(HEADER_BYTES + TRAILER.length + 1);

function archiveName(path: string): string {
  const name = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (name === '' || name.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`bad cpio path ${JSON.stringify(path)}`);
  }
  return name;
}

function entryBody(entry: CpioEntry): Buffer {
  if (entry.kind === 'file') return Buffer.from(entry.data ?? new Uint8Array());
  if (entry.kind === 'symlink') {
    if (!entry.target) throw new Error(`symlink ${entry.path} has no target`);
    return Buffer.from(entry.target);
  }
  return Buffer.alloc(0);
}

interface HeaderFields { ino: number; mode: number; uid: number; gid: number; nlink: number; filesize: number; rdevmajor: number; rdevminor: number; namesize: number }

function header(f: HeaderFields): Buffer {
  const hex = (n: number): string => {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio field out of range: ${n}`);
    return n.toString(16).toUpperCase().padStart(8, '0');
  };
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const fields = [f.ino, f.mode, f.uid, f.gid, f.nlink, 0, f.filesize, 0, 0, f.rdevmajor, f.rdevminor, f.namesize, 0];
  return Buffer.from(`070701${fields.map(hex).join('')}`, 'latin1');
}

function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

/** newc pads the header+name and the data each to a multiple of 4 bytes. */
function padding(offset: number): Buffer {
  return Buffer.alloc((4 - (offset % 4)) % 4);
}
