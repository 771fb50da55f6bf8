// Applies one tar entry of a layer to the unpacked tree and its metadata index, never writing through a symlink or above the root.
import { chmod, link, mkdir, open, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Header } from 'tar-stream';
import { entryOf, entryPath, OPAQUE_MARKER, unsafe, WHITEOUT_PREFIX } from './entry.js';
import { ancestorsOf, type TreeEntry } from './tree.js';
import { markWritten, opaque, removePath, whiteout, type LayerState } from './whiteout.js';

/** Devices and fifos live in the metadata index only: tinyx never runs mknod on the host. */
const INDEX_ONLY = new Set(['char-device', 'block-device', 'fifo']);

/**
 * Applies `header` (its bytes in `content`, which this consumes) as the OCI image spec's layer.md
 * says: a path that exists is replaced, except a directory by a directory (only its metadata
 * changes); missing parents are created as root-owned 0755 directories, like Docker does. An entry
 * below a symlink is refused, whatever the symlink points at: following it could write anywhere on
 * the host, and layers written by real tools never hold one (they record the real path).
 */
export async function applyEntry(state: LayerState, header: Header, content: AsyncIterable<Buffer>): Promise<void> {
  const rel = entryPath(header.name, state.layer);
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const isFile = header.type === 'file' || header.type === 'contiguous-file';
  if (!isFile || rel === '' || base.startsWith(WHITEOUT_PREFIX)) await drain(content);
  // The root's own mode and owner are the packager's to set.
  if (rel === '') return;
  const whiteoutEntry = base.startsWith(WHITEOUT_PREFIX);
  // A whiteout below a path that no layer made has nothing to hide: its parents are not made.
  if (!(await makeParents(state, rel, header.name, !whiteoutEntry))) return;
  if (whiteoutEntry) {
    const dir = rel.slice(0, Math.max(0, rel.length - base.length - 1));
    if (base === OPAQUE_MARKER) await opaque(state, dir);
    else if (!base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) await whiteout(state, path.posix.join(dir, base.slice(WHITEOUT_PREFIX.length)));
    return;
  }
  const existing = state.tree.get(rel);
  const full = path.join(state.root, rel);
  const keepDir = existing?.type === 'directory' && header.type === 'directory';
  if (existing && !keepDir) await removePath(state, rel);
  if (header.type === 'link') {
    state.tree.set(rel, await hardLink(state, header, full));
  } else {
    const entry = entryOf(header, state.layer);
    if (entry.type === 'file') await writeFile(full, entry.mode, content);
    if (entry.type === 'directory') {
      if (!keepDir) await mkdir(full);
      await chmod(full, hostMode(entry));
    }
    if (entry.type === 'symlink') await symlink(entry.target!, full);
    state.tree.set(rel, entry);
  }
  markWritten(state, rel);
}

/**
 * Each ancestor of `rel` must be a directory: a symlink or a file there is refused; a missing one is
 * made when `make`, else the answer is false (there is no such directory).
 */
async function makeParents(state: LayerState, rel: string, name: string, make: boolean): Promise<boolean> {
  for (const dir of ancestorsOf(rel)) {
    const entry = state.tree.get(dir);
    if (entry?.type === 'directory') continue;
    if (entry?.type === 'symlink') throw unsafe(state.layer, name, `lies below the symlink /${dir} -> ${entry.target}, which tinyx does not follow`);
    if (entry) throw unsafe(state.layer, name, `lies below /${dir}, which is a ${entry.type}, not a directory`);
    if (!make) return false;
    const made: TreeEntry = { type: 'directory', mode: 0o755, uid: 0, gid: 0 };
    await mkdir(path.join(state.root, dir), { mode: hostMode(made) });
    state.tree.set(dir, made);
  }
  return true;
}

/** A hard link to a path of this layer or a lower one, inside the image; it shares its target's metadata. */
async function hardLink(state: LayerState, header: Header, full: string): Promise<TreeEntry> {
  const target = entryPath(header.linkname, state.layer);
  const entry = target === '' ? undefined : state.tree.get(target);
  if (!entry) throw unsafe(state.layer, header.name, `is a hard link to ${header.linkname}, which is not in the image`);
  if (entry.type === 'directory') throw unsafe(state.layer, header.name, `is a hard link to the directory ${header.linkname}`);
  // link(2) links a symlink itself, never what it points at.
  if (!INDEX_ONLY.has(entry.type)) await link(path.join(state.root, target), full);
  return entry;
}

async function drain(content: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of content) void chunk;
}

async function writeFile(full: string, mode: number, content: AsyncIterable<Buffer>): Promise<void> {
  // 'wx': a path that exists (a symlink left in its place included) fails instead of being followed.
  const handle = await open(full, 'wx', 0o600);
  try {
    for await (const chunk of content) await handle.write(chunk);
    await handle.chmod(mode & 0o777);
  } finally {
    await handle.close();
  }
}

/** On the host: no setuid, setgid or sticky bit, and directories stay writable by whoever unpacks. */
function hostMode(entry: TreeEntry): number {
  return (entry.mode & 0o777) | (entry.type === 'directory' ? 0o700 : 0);
}
