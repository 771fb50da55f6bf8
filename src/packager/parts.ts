// The initramfs by part (the app, its libraries, the init, the rest): uncompressed archive bytes, summed by what the plan says each node is for.
import path from 'node:path';
import { resolveParents } from '../deps/treepath.js';
import { memberBytes, TRAILER_BYTES, type CpioEntry } from './cpio.js';
import type { RootfsNode, RootfsPart } from './rootfs.js';

export const ROOTFS_PARTS: readonly RootfsPart[] = ['app', 'libraries', 'init', 'other'];

/** Uncompressed bytes of each part's archive members (header, name, data); they sum to the whole archive. */
export type PartBytes = Record<RootfsPart, number>;

/**
 * The part of each node: the one the plan gave it (the manifest's for the app's files, the
 * packager's for what it adds), else `init` for `/init` and what it leads to through symlinks (the
 * kernel runs it, whatever makes it), else `other`.
 */
export function partsOf(nodes: readonly RootfsNode[]): RootfsPart[] {
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const lookup = (p: string) => byPath.get(p);
  const initChain = new Set<string>();
  for (let p: string | undefined = '/init'; p && !initChain.has(p);) {
    const node = byPath.get(p);
    if (!node) break;
    initChain.add(p);
    p = node.kind === 'symlink' && node.target ? resolveParents(lookup, path.posix.resolve(path.posix.dirname(p), node.target)) : undefined;
  }
  return nodes.map((n) => n.part ?? (initChain.has(n.path) ? 'init' : 'other'));
}

/** Sums each node's archive member by its part; `entries[i]` is the archive entry of `nodes[i]`. The trailer counts as other. */
export function partBytes(nodes: readonly RootfsNode[], entries: readonly CpioEntry[]): PartBytes {
  if (nodes.length !== entries.length) throw new Error(`partBytes: ${nodes.length} nodes but ${entries.length} archive entries`);
  const bytes: PartBytes = { app: 0, libraries: 0, init: 0, other: TRAILER_BYTES };
  partsOf(nodes).forEach((part, i) => {
    bytes[part] += memberBytes(entries[i]!);
  });
  return bytes;
}
