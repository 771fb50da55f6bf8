// The manifest: every path the guest needs for the app, and a builder that keeps it consistent.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import type { PathLink } from './hostfs.js';
import { isLeftOut, type LeftOut } from './leftout.js';
import type { LdCacheRecord } from './ldcache-write.js';
import type { TracedCalls } from './strace-calls.js';
import { resolveParents } from './treepath.js';

/** What a file is for, as the report's picture of the VM shows it: the app itself, or the libraries and runtime it runs on. */
export type ManifestPart = 'app' | 'libraries';

export interface ManifestEntry {
  guestPath: string;
  kind: 'file' | 'dir' | 'symlink' | 'char';
  mode: number;
  hostPath?: string;
  target?: string;
  major?: number;
  minor?: number;
  /** Owner in the guest when not root: directories the app writes to after dropping privileges. */
  uid?: number;
  gid?: number;
  /** Why the entry is there, e.g. "DT_NEEDED libc.so.6 of /usr/bin/curl (ld.so.cache)". */
  reason: string;
  /** Debian package that owns hostPath, when known (filled by the deps report). */
  package?: string;
  /** The part of the VM it belongs to, said where the entry is added (absent: neither the app nor what it runs on). */
  part?: ManifestPart;
}

export interface Manifest {
  app: { hostPath: string; guestPath: string };
  entries: ManifestEntry[];
  /**
   * Libraries the host loader found only through /etc/ld.so.cache (outside the built-in
   * directories, e.g. /usr/local/lib): the guest needs an ld.so.cache listing them.
   */
  ldCache?: LdCacheRecord[];
  /** Host paths of a directory app left out of the guest by default (leftout.ts), and why. */
  excluded?: LeftOut[];
  /** The calls and socket families the --trace run saw the app use (absent: no trace ran). */
  traced?: TracedCalls;
}

/** Collects entries; the first reason recorded for a path wins (its part too, unless a later one says it is the app's), parents are added as directories. */
export class ManifestBuilder {
  private readonly byPath = new Map<string, ManifestEntry>();
  private readonly cacheRecords = new Map<string, LdCacheRecord>();
  private readonly relocations: Array<{ host: string; guest: string }> = [];
  private leftOut: LeftOut[] = [];

  /**
   * From now on, entries added at paths under `hostPrefix` land under `guestPrefix` instead (a
   * directory app copied to /app/NAME, whose libraries the closure finds at their host paths).
   */
  relocate(hostPrefix: string, guestPrefix: string): void {
    this.relocations.push({ host: normalizeGuestPath(hostPrefix), guest: normalizeGuestPath(guestPrefix) });
  }

  /** The guest path an entry added at `p` ends up at. */
  guestPathOf(p: string): string {
    const n = normalizeGuestPath(p);
    for (const { host, guest } of this.relocations) {
      if (n === host) return guest;
      if (n.startsWith(`${host}/`)) return guest + n.slice(host.length);
    }
    return n;
  }

  /** Host paths that stay out of the guest: a tree walk skips them, the --trace run does not add them back. */
  leaveOut(rows: LeftOut[]): void {
    this.leftOut.push(...rows);
  }

  /** Whether a host path is left out (or under one that is). */
  isLeftOut(hostPath: string): boolean {
    return isLeftOut(hostPath, this.leftOut);
  }

  /** A left-out path named on purpose (--include): it goes in after all. */
  takeBack(hostPath: string): void {
    this.leftOut = this.leftOut.filter((x) => x.path !== hostPath);
  }

  /** Remember that the guest's ld.so.cache must map `record.name` (first record per name wins). */
  addCacheRecord(record: LdCacheRecord): void {
    if (!this.cacheRecords.has(record.name)) this.cacheRecords.set(record.name, { ...record, path: this.guestPathOf(record.path) });
  }

  has(guestPath: string): boolean {
    return this.byPath.has(guestPath);
  }

  get(guestPath: string): ManifestEntry | undefined {
    return this.byPath.get(guestPath);
  }

  add(entry: ManifestEntry): void {
    const guestPath = resolveParents((q) => this.byPath.get(q), this.guestPathOf(entry.guestPath));
    const existing = this.byPath.get(guestPath);
    if (existing) {
      if (existing.kind !== entry.kind || (entry.kind === 'symlink' && existing.target !== entry.target)) {
        throw new TinyxError('TINYX_INTERNAL', `Conflicting manifest entries for ${guestPath}: ${describe(existing)} vs ${describe(entry)}`);
      }
      // The app's own files stay the app's, however they were reached first (a directory app's private library by the ELF closure).
      if (entry.part === 'app' && existing.part !== 'app') this.byPath.set(guestPath, { ...existing, part: 'app' });
      return;
    }
    this.addParents(guestPath, entry.reason);
    this.byPath.set(guestPath, { ...entry, guestPath });
  }

  /** `owner`: the guest's owner of the file, when not root (an image's files keep theirs). */
  addFile(guestPath: string, hostPath: string, mode: number, reason: string, part?: ManifestPart, owner?: { uid: number; gid: number }): void {
    this.add({ guestPath, kind: 'file', mode: mode & 0o7777, hostPath, reason, ...(part ? { part } : {}), ...ids(owner) });
  }

  addSymlink(guestPath: string, target: string, reason: string): void {
    this.add({ guestPath, kind: 'symlink', mode: 0o777, target, reason });
  }

  addDir(guestPath: string, reason: string, mode = 0o755, owner?: { uid: number; gid: number }): void {
    this.add({ guestPath, kind: 'dir', mode, reason, ...ids(owner) });
  }

  /** Record the symlinks met while resolving a host path, so the same lookup works in the guest. */
  addLinks(links: PathLink[], reason: string): void {
    for (const link of links) this.addSymlink(link.path, link.target, reason);
  }

  build(app: Manifest['app']): Manifest {
    const entries = [...this.byPath.values()].sort((a, b) => compareGuestPaths(a.guestPath, b.guestPath));
    const ldCache = [...this.cacheRecords.values()].sort((a, b) => compareGuestPaths(a.name, b.name));
    return { app, entries, ...(ldCache.length > 0 ? { ldCache } : {}), ...(this.leftOut.length > 0 ? { excluded: this.leftOut } : {}) };
  }

  private addParents(guestPath: string, reason: string): void {
    const parent = path.posix.dirname(guestPath);
    if (parent === '/' || this.byPath.has(parent)) return;
    this.addParents(parent, reason);
    this.byPath.set(parent, { guestPath: parent, kind: 'dir', mode: 0o755, reason: `parent directory (${reason})` });
  }
}

/** Absolute, normalized, no trailing slash. */
export function normalizeGuestPath(p: string): string {
  const n = path.posix.normalize(`/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Byte order on the path, so that a directory always sorts before its contents. */
export function compareGuestPaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ids(owner: { uid: number; gid: number } | undefined): { uid?: number; gid?: number } {
  return owner && (owner.uid !== 0 || owner.gid !== 0) ? { uid: owner.uid, gid: owner.gid } : {};
}

function describe(e: ManifestEntry): string {
  return e.kind === 'symlink' ? `symlink -> ${e.target}` : e.kind;
}
