// The metadata index of an unpacked image: every path's type, full mode, owner and device numbers, which the files on disk cannot all hold.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/fsx.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'char-device' | 'block-device' | 'fifo';

/**
 * One path of the image. The tree on disk holds regular files, directories, symlinks and hard
 * links as they are (the ELF analysis reads them), owned by whoever unpacked them and without
 * setuid, setgid or sticky bits; devices and fifos are not created on the host at all. What the
 * guest must get (owners, full modes, device numbers) is here, for the packager.
 */
export interface TreeEntry {
  type: EntryType;
  /** Permission bits as the image has them, setuid (0o4000), setgid (0o2000) and sticky (0o1000) included. */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files: bytes. */
  size?: number;
  /** Symlinks: the target as written, absolute ones meaning inside the image. */
  target?: string;
  /** Devices. */
  major?: number;
  minor?: number;
}

/** Paths relative to the image root, "usr/bin/env"; the root itself is "". */
export class Tree {
  private readonly entries = new Map<string, TreeEntry>();
  private readonly kids = new Map<string, Set<string>>();

  get(p: string): TreeEntry | undefined {
    return this.entries.get(p);
  }

  set(p: string, entry: TreeEntry): void {
    this.entries.set(p, entry);
    const parent = parentOf(p);
    let set = this.kids.get(parent);
    if (!set) this.kids.set(parent, (set = new Set()));
    set.add(p);
  }

  /** The paths directly inside directory `p`. */
  children(p: string): string[] {
    return [...(this.kids.get(p) ?? [])];
  }

  /** Forgets `p` and everything below it. */
  deleteSubtree(p: string): void {
    for (const child of this.children(p)) this.deleteSubtree(child);
    this.kids.delete(p);
    this.entries.delete(p);
    this.kids.get(parentOf(p))?.delete(p);
  }

  /** Every path, sorted, with its entry. */
  list(): [string, TreeEntry][] {
    return [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  static fromList(list: [string, TreeEntry][]): Tree {
    const tree = new Tree();
    for (const [p, entry] of list) tree.set(p, entry);
    return tree;
  }
}

export function parentOf(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash < 0 ? '' : p.slice(0, slash);
}

/** The ancestors of `p`, outermost first: "a/b/c" -> ["a", "a/b"]. */
export function ancestorsOf(p: string): string[] {
  const parts = p.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

interface TreeFile {
  version: 1;
  entries: Record<string, TreeEntry>;
}

export async function writeTree(file: string, tree: Tree): Promise<void> {
  const data: TreeFile = { version: 1, entries: Object.fromEntries(tree.list()) };
  await writeFileAtomic(file, JSON.stringify(data) + '\n');
}

export async function readTree(file: string): Promise<Tree> {
  const data = JSON.parse(await readFile(file, 'utf8')) as TreeFile;
  if (data.version !== 1) throw new Error(`${file}: metadata index version ${String(data.version)}, expected 1`);
  return Tree.fromList(Object.entries(data.entries));
}
