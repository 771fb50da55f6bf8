// --image-whole: every file of an unpacked image as the guest's, the starting point when the analysed closure is not enough.
import path from 'node:path';
import type { TreeEntry } from '../image/index.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { dropSetuid } from './setuid.js';
import type { ImageRoot } from './resolve-image.js';

const REASON = 'in the image (--image-whole)';

/**
 * Pure but for nothing read: the manifest of every path of the image, at its image path, with the
 * image's modes, owners and device numbers (a block device or fifo has no place in a tinyx guest and
 * is left out). `program` (an image path) is the app. Setuid and setgid bits are cleared unless
 * `keepSetuid`, as for an analysed closure.
 */
export function wholeImageManifest(image: ImageRoot, program: string, keepSetuid = false): Manifest {
  const entries: ManifestEntry[] = [];
  for (const [rel, entry] of image.tree.list()) {
    if (rel === '') continue;
    const guestPath = `/${rel}`;
    const made = entryOf(guestPath, entry, path.join(image.rootfs, rel));
    if (made) entries.push({ ...made, part: guestPath === program ? 'app' : 'libraries' });
  }
  const manifest: Manifest = { app: { hostPath: path.join(image.rootfs, program), guestPath: program }, entries };
  return keepSetuid ? manifest : dropSetuid(manifest);
}

function entryOf(guestPath: string, e: TreeEntry, hostPath: string): ManifestEntry | undefined {
  const owner = { ...(e.uid ? { uid: e.uid } : {}), ...(e.gid ? { gid: e.gid } : {}) };
  const base = { guestPath, mode: e.mode, reason: REASON, ...owner };
  switch (e.type) {
    case 'file': return { ...base, kind: 'file', hostPath };
    case 'directory': return { ...base, kind: 'dir' };
    case 'symlink': return { ...base, kind: 'symlink', target: e.target };
    case 'char-device': return { ...base, kind: 'char', major: e.major, minor: e.minor };
    default: return undefined;
  }
}
