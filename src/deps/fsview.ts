// The filesystem the dependency analysis reads, as one interface: the host's own here, an unpacked image's in imagefs.ts.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { isExecutableFile } from '../util/fsx.js';
import { walkPath, type PathWalk } from './hostfs.js';

/** What is at a path, the path itself (a symlink is not followed). */
export interface FsNode {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits, setuid, setgid and sticky included. */
  mode: number;
  uid: number;
  gid: number;
  /** Symlinks: the target as written. */
  target?: string;
}

/** Paths are absolute in the view's own coordinates: the guest's, before any relocation. */
export interface FsView {
  /** "on this host", "in the image": for messages. */
  readonly where: string;
  /** `p` with every symlink resolved, the symlinks met recorded; undefined when a part is missing. */
  walk(p: string): Promise<PathWalk | undefined>;
  /** What is at `p` (no symlink among its parents); undefined when nothing is. */
  node(p: string): Promise<FsNode | undefined>;
  /** The names in directory `p` (no symlink among its parents), sorted. */
  list(p: string): Promise<string[]>;
  /** The bytes of the regular file `p` (no symlink on its path). */
  readFile(p: string): Promise<Buffer>;
  /** Whether `p`, followed, is a regular file someone may execute. */
  isExecutable(p: string): Promise<boolean>;
  /** The file on this machine that holds `p`'s bytes: what the packager copies. */
  hostPath(p: string): string;
  /** Whether files keep their owners in the guest (an image's do; the host's become root's). */
  readonly keepsOwners: boolean;
}

/** The guest owner of a file found in `fs`: its own in an image, none (root) from the host. */
export function fileOwner(fs: FsView, node: FsNode): { uid: number; gid: number } | undefined {
  return fs.keepsOwners ? { uid: node.uid, gid: node.gid } : undefined;
}

/** The host's own filesystem. */
export const hostFs: FsView = {
  where: 'on this host',
  walk: walkPath,
  async node(p) {
    const info = await lstat(p).catch(() => undefined);
    if (!info) return undefined;
    const kind = info.isFile() ? 'file' : info.isDirectory() ? 'dir' : info.isSymbolicLink() ? 'symlink' : 'other';
    return { kind, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, ...(kind === 'symlink' ? { target: await readlink(p) } : {}) };
  },
  async list(p) {
    return (await readdir(p)).sort();
  },
  readFile: (p) => readFile(p),
  isExecutable: isExecutableFile,
  hostPath: (p) => p,
  keepsOwners: false,
};
