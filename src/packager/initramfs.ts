// buildInitramfs: manifest + BusyBox + generated init -> a deterministic gzip'd cpio on disk.
import { readFile } from 'node:fs/promises';
import { gzipSync, constants as zlib } from 'node:zlib';
import type { Manifest } from '../deps/manifest.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic } from '../util/fsx.js';
import { hostAccounts, type Accounts } from './accounts.js';
import { findBusybox } from './busybox.js';
import { encodeCpio, type CpioEntry } from './cpio.js';
import type { InitSpec } from './init.js';
import { planRootfs, type RootfsNode } from './rootfs.js';

export type { InitSpec } from './init.js';

export interface InitramfsResult {
  file: string;
  /** Size of the gzip'd archive. */
  bytes: number;
  uncompressedBytes: number;
  sha256: string;
  /** Number of archive members (the trailer not counted). */
  entries: number;
}

/** `accounts` defaults to the host's system accounts plus init.user (see accounts.ts). */
export async function buildInitramfs(options: { manifest: Manifest; init: InitSpec; busybox?: string; outFile: string; accounts?: Accounts }): Promise<InitramfsResult> {
  const busyboxHostPath = await findBusybox(options.busybox);
  const accounts = options.accounts ?? (await hostAccounts(options.init.user ? [options.init.user] : []));
  const nodes = planRootfs({ manifest: options.manifest, init: options.init, busyboxHostPath, accounts });
  const entries = await Promise.all(nodes.map(toCpioEntry));
  const archive = encodeCpio(entries);
  const compressed = gzipArchive(archive);
  await writeFileAtomic(options.outFile, compressed);
  return { file: options.outFile, bytes: compressed.length, uncompressedBytes: archive.length, sha256: sha256(compressed), entries: entries.length };
}

/** gzip with a fixed level; node's zlib writes mtime 0 and no name, so output depends only on input. */
export function gzipArchive(archive: Uint8Array): Buffer {
  return gzipSync(archive, { level: 9, memLevel: 9, strategy: zlib.Z_DEFAULT_STRATEGY });
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
