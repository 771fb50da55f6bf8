// An unpacked image as the dependency analysis reads it: paths inside the image, symlinks followed from its own root, never the host's.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import type { Tree, TreeEntry } from '../image/tree.js';
import type { FsNode, FsView } from './fsview.js';
import type { PathLink, PathWalk } from './hostfs.js';
import { walkTree } from '../image/lookup.js';

/**
 * The view of the image unpacked at `rootfs` whose metadata index is `tree`. Every lookup goes by
 * the index: an absolute symlink target starts again at the image's root, and a path that climbs
 * above the root (a symlink of "../.." too many) is refused with TINYX_IMAGE_INVALID rather than
 * read from wherever it lands on the host. Files are read from the unpacked tree only at paths with
 * no symlink among their parts.
 */
export function imageFs(rootfs: string, tree: Tree): FsView {
  const entry = (p: string): TreeEntry | undefined => tree.get(p.slice(1));
  // ".." stops at the image root here too, whatever path a caller passes.
  const onDisk = (p: string): string => path.join(rootfs, path.posix.resolve('/', p));
  return {
    where: 'in the image',
    walk: async (p) => walkImage(tree, p),
    async node(p) {
      const found = entry(p);
      return found && nodeOf(found);
    },
    async list(p) {
      return tree.children(p.slice(1)).map((c) => path.posix.basename(c)).sort();
    },
    readFile: (p) => readFile(onDisk(p)),
    async isExecutable(p) {
      const walk = walkImage(tree, p);
      const found = walk && entry(walk.realPath);
      return found?.type === 'file' && (found.mode & 0o111) !== 0;
    },
    hostPath: onDisk,
    keepsOwners: true,
  };
}

function nodeOf(e: TreeEntry): FsNode {
  const kind = e.type === 'file' ? 'file' : e.type === 'directory' ? 'dir' : e.type === 'symlink' ? 'symlink' : 'other';
  return { kind, mode: e.mode, uid: e.uid, gid: e.gid, ...(e.target !== undefined ? { target: e.target } : {}) };
}

/**
 * As hostfs.ts's walkPath, over the image's index: undefined when a part is missing. A path that
 * climbs above the image's root is refused (TINYX_IMAGE_INVALID), as is a symlink loop.
 */
export function walkImage(tree: Tree, start: string): PathWalk | undefined {
  const walk = walkTree(tree, start, false);
  switch (walk.kind) {
    case 'found': return { realPath: walk.realPath, links: dedupe(walk.links) };
    case 'missing': return undefined;
    case 'above': throw escapes(start, walk.via);
    case 'loop':
      throw new TinyxError('TINYX_SYMLINK_LOOP', `Too many levels of symbolic links resolving ${start} in the image (stuck at ${walk.at})`, {
        advice: 'Fix the symlink cycle in the image, or name the real file.',
      });
  }
}

function dedupe(links: PathLink[]): PathLink[] {
  return links.filter((l, i) => links.findIndex((m) => m.path === l.path) === i);
}

function escapes(start: string, via: PathLink | undefined): TinyxError {
  const culprit = via ? `the symlink ${via.path} -> ${via.target}` : 'it';
  return new TinyxError('TINYX_IMAGE_INVALID', `${start} climbs out of the image root: ${culprit} goes above /.`, {
    advice: 'Fix the symlink in the image (a path inside the image never leads outside it), or name the file it should reach.',
  });
}
