// Declared extra files: --include (host files or trees, with their ELF closures) and --exclude.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { addElfClosure } from './closure.js';
import { isElf, parseElf } from './elf.js';
import { fileOwner, hostFs, type FsView } from './fsview.js';
import type { LdCache } from './ldcache.js';
import { normalizeGuestPath, type Manifest, type ManifestBuilder, type ManifestPart } from './manifest.js';

/**
 * Add `spec` ("HOST" or "HOST:GUEST", HOST a path in `fs`) to the guest. A file keeps its real
 * path unless GUEST is given; a directory is copied recursively (symlinks inside stay symlinks),
 * without what the builder leaves out, though HOST itself goes in even if it was left out. Every
 * ELF file added brings its libraries. `part`: what its files are (a directory app's tree is the app).
 */
export async function addInclude(builder: ManifestBuilder, spec: string, cache: LdCache | undefined, part?: ManifestPart, fs: FsView = hostFs): Promise<void> {
  const [host, guest] = splitSpec(spec);
  const walk = await fs.walk(path.resolve(host));
  if (!walk) throw new TinyxError('TINYX_APP_NOT_FOUND', `--include ${host}: no such file or directory ${fs.where}`);
  const reason = `--include ${spec}`;
  builder.takeBack(walk.realPath);
  if (!guest) builder.addLinks(walk.links, reason);
  await addTree(fs, builder, walk.realPath, guest ? normalizeGuestPath(guest) : walk.realPath, reason, cache, part);
}

/**
 * An argument of the program that names a regular file (`-f /etc/lighttpd/lighttpd.conf`, a
 * config or a script the program reads because its command line says so): the file, with the
 * symlinks on its path. Anything else (a directory, a missing path, an option) adds nothing.
 */
export async function addArgumentFile(builder: ManifestBuilder, arg: string, cache: LdCache | undefined, fs: FsView = hostFs): Promise<void> {
  if (!arg.startsWith('/')) return;
  const walk = await fs.walk(arg);
  if (!walk || (await fs.node(walk.realPath))?.kind !== 'file') return;
  const reason = `argument ${arg} of the program`;
  builder.addLinks(walk.links, reason);
  await addTree(fs, builder, walk.realPath, walk.realPath, reason, cache);
}

async function addTree(fs: FsView, builder: ManifestBuilder, host: string, guest: string, reason: string, cache: LdCache | undefined, part?: ManifestPart): Promise<void> {
  const info = await fs.node(host);
  if (info?.kind === 'symlink') {
    builder.addSymlink(guest, info.target ?? '', reason);
  } else if (info?.kind === 'dir') {
    builder.addDir(guest, reason, info.mode, fileOwner(fs, info));
    for (const name of await fs.list(host)) {
      if (!builder.isLeftOut(path.join(host, name))) await addTree(fs, builder, path.join(host, name), path.posix.join(guest, name), reason, cache, part);
    }
  } else if (info?.kind === 'file') {
    builder.addFile(guest, fs.hostPath(host), info.mode, reason, part, fileOwner(fs, info));
    await addClosureIfElf(builder, host, guest, cache, fs);
  }
  // sockets, fifos and devices are not copied
}

/** When `host` (a path in `fs`) is a dynamic ELF file, add its loader and libraries. */
export async function addClosureIfElf(builder: ManifestBuilder, host: string, guest: string, cache: LdCache | undefined, fs: FsView = hostFs): Promise<void> {
  const bytes = await fs.readFile(host);
  if (!isElf(bytes)) return;
  let elf;
  try {
    elf = parseElf(bytes);
  } catch {
    return;
  }
  if (!elf.dynamic) return;
  const executable = { path: host, realPath: host, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
  await addElfClosure(builder, { executable, label: guest, cache, fs });
}

/**
 * Add a path the app used at run time (found by strace) at its real path in `fs`: a file with its
 * ELF closure, or a bare directory (programs like Python check that a directory exists). A path
 * `fs` does not have (the run created it) is left out.
 */
export async function addTraced(builder: ManifestBuilder, file: string, cache: LdCache | undefined, fs: FsView = hostFs): Promise<void> {
  const walk = await fs.walk(file);
  if (!walk || walk.realPath === '/' || builder.isLeftOut(walk.realPath)) return;
  const info = await fs.node(walk.realPath);
  const reason = `used at run time (strace): ${file}`;
  const guestPath = builder.guestPathOf(walk.realPath);
  if (info?.kind === 'dir') {
    builder.addLinks(walk.links, reason);
    if (!builder.has(guestPath)) builder.addDir(walk.realPath, reason, info.mode, fileOwner(fs, info));
    return;
  }
  if (info?.kind !== 'file') return;
  builder.addLinks(walk.links, reason);
  if (builder.has(guestPath)) return;
  builder.addFile(walk.realPath, fs.hostPath(walk.realPath), info.mode, reason, undefined, fileOwner(fs, info));
  await addClosureIfElf(builder, walk.realPath, guestPath, cache, fs);
}

/** A directory the app wrote into at run time (strace): it must exist in the guest too. */
export async function addTracedDir(builder: ManifestBuilder, dir: string, fs: FsView = hostFs): Promise<void> {
  const walk = await fs.walk(dir);
  if (!walk || walk.realPath === '/' || builder.isLeftOut(walk.realPath)) return;
  const info = await fs.node(walk.realPath);
  if (info?.kind !== 'dir') return;
  const reason = `written to at run time (strace): ${dir}`;
  builder.addLinks(walk.links, reason);
  if (!builder.has(builder.guestPathOf(walk.realPath))) builder.addDir(walk.realPath, reason, info.mode, { uid: info.uid, gid: info.gid });
}

/** Drop excluded guest paths (and what is under them); directories still needed by kept entries stay. */
export function applyExcludes(manifest: Manifest, excludes: string[]): Manifest {
  if (excludes.length === 0) return manifest;
  const prefixes = excludes.map(normalizeGuestPath);
  const excluded = (p: string): boolean => prefixes.some((x) => p === x || p.startsWith(`${x}/`) || x === '/');
  if (excluded(manifest.app.guestPath)) {
    throw new TinyxError('TINYX_USAGE', `--exclude would remove the app itself (${manifest.app.guestPath})`);
  }
  const kept = manifest.entries.filter((e) => !excluded(e.guestPath));
  const needed = new Set<string>();
  for (const e of kept) for (let d = path.posix.dirname(e.guestPath); d !== '/'; d = path.posix.dirname(d)) needed.add(d);
  const entries = manifest.entries.filter((e) => !excluded(e.guestPath) || (e.kind === 'dir' && needed.has(e.guestPath)));
  const { ldCache: all, ...rest } = manifest;
  const ldCache = all?.filter((r) => !excluded(r.path));
  return ldCache && ldCache.length > 0 ? { ...rest, entries, ldCache } : { ...rest, entries };
}

function splitSpec(spec: string): [string, string | undefined] {
  const at = spec.indexOf(':');
  if (at <= 0) return [spec, undefined];
  return [spec.slice(0, at), spec.slice(at + 1) || undefined];
}

