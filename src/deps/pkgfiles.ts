// Files by Debian package: --include-package (a package's files whole), and what an app's own
// package ships that no ELF header names (plugins it dlopens, the directories it logs into).
import { execa } from 'execa';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { ET, isElf, parseElf } from './elf.js';
import { addClosureIfElf } from './extras.js';
import { fileOwner, hostFs, type FsNode, type FsView } from './fsview.js';
import type { PathLink } from './hostfs.js';
import type { LdCache } from './ldcache.js';
import type { ManifestBuilder, ManifestPart } from './manifest.js';
import { parseDpkgSearch, mergedUsrAlias } from './dpkg.js';

/** Places where a package's files are documentation or host administration, never run-time needs. */
const SKIP_PREFIXES = ['/usr/share/doc/', '/usr/share/man/', '/usr/share/info/', '/usr/share/lintian/', '/usr/share/bug/', '/etc/init.d/', '/etc/cron.', '/etc/logrotate.d/', '/lib/systemd/', '/usr/lib/systemd/'];
/** Directories under which a service writes at run time: its package's empty directories there are kept. */
const STATE_PREFIXES = ['/var/log/', '/var/cache/', '/var/lib/', '/var/spool/'];

/** Which files a package installed and which package owns a file: the host's dpkg, or an image's database (imagedpkg.ts). */
export interface PackageDb {
  /** The paths `pkg` installed; TINYX_PACKAGE_NOT_FOUND when it is not installed. */
  filesOf(pkg: string): Promise<string[]>;
  /** The package that owns `file` (either merged-usr spelling); undefined if none. */
  ownerOf(file: string): Promise<string | undefined>;
}

/** `dpkg -L PKG`: the paths the package installed; a clear error when it is not installed. */
export async function packageFiles(pkg: string): Promise<string[]> {
  const run = await execa('dpkg', ['-L', pkg], { reject: false });
  if (run.exitCode !== 0 || run.code === 'ENOENT') {
    throw new TinyxError('TINYX_PACKAGE_NOT_FOUND', `Debian package ${pkg} is not installed on this host (or dpkg is missing)`, {
      advice: `Install it (apt-get install ${pkg}), or check the name with \`dpkg -l '*${pkg}*'\`.`,
    });
  }
  return String(run.stdout).split('\n').filter((p) => p.startsWith('/'));
}

/** Pure: the paths of a package worth copying to the guest (no docs, man pages, init scripts). */
export function runtimePaths(paths: string[]): string[] {
  return paths.filter((p) => p !== '/.' && !SKIP_PREFIXES.some((x) => p.startsWith(x) || `${p}/` === x));
}

/** --include-package PKG: every run-time file, symlink and directory of the package, at its path. */
export async function addPackage(builder: ManifestBuilder, pkg: string, cache: LdCache | undefined, fs: FsView = hostFs, db: PackageDb = hostDpkg): Promise<void> {
  const reason = `--include-package ${pkg}`;
  for (const p of runtimePaths(await db.filesOf(pkg))) await addPackagePath(fs, builder, p, reason, cache);
}

/** The package that owns `file` (dpkg -S, either merged-usr spelling); undefined if none. */
export async function owningPackage(file: string): Promise<string | undefined> {
  const queries = [file, mergedUsrAlias(file)].filter((p): p is string => p !== undefined);
  const run = await execa('dpkg', ['-S', ...queries], { reject: false });
  if (run.code === 'ENOENT') return undefined;
  const owners = parseDpkgSearch(String(run.stdout));
  for (const q of queries) {
    const pkgs = owners.get(q);
    if (pkgs && pkgs.length > 0) return pkgs[0];
  }
  return undefined;
}

/** The host's own dpkg. */
export const hostDpkg: PackageDb = { filesOf: packageFiles, ownerOf: owningPackage };

/**
 * For an ELF app installed by a Debian package: the shared objects the same package ships (plugins
 * the app dlopens, e.g. lighttpd's mod_*.so) with their libraries, and the package's directories
 * under /var/log, /var/cache, /var/lib (where services write). Returns the package, if any.
 */
export async function addOwnPackageExtras(builder: ManifestBuilder, appRealPath: string, cache: LdCache | undefined, fs: FsView = hostFs, db: PackageDb = hostDpkg): Promise<string | undefined> {
  const pkg = await db.ownerOf(appRealPath);
  if (!pkg) return undefined;
  for (const p of await db.filesOf(pkg)) {
    if (STATE_PREFIXES.some((x) => p.startsWith(x))) {
      const info = (await locate(fs, p))?.info;
      if (info?.kind === 'dir' && !builder.has(builder.guestPathOf(p))) builder.addDir(p, `state directory of package ${pkg} (the app may write there)`, info.mode, { uid: info.uid, gid: info.gid });
      continue;
    }
    if (p === appRealPath || !/\.so(\.[0-9.]+)?$/.test(p) || !(await isSharedObject(fs, p))) continue;
    await addPackagePath(fs, builder, p, `shared object of ${pkg}, the app's package (a plugin it may dlopen)`, cache, 'libraries');
  }
  return pkg;
}

async function addPackagePath(fs: FsView, builder: ManifestBuilder, p: string, reason: string, cache: LdCache | undefined, part?: ManifestPart): Promise<void> {
  const found = await locate(fs, p);
  if (!found) return;
  const { real, info, links } = found;
  builder.addLinks(links, reason);
  const guest = builder.guestPathOf(real);
  if (builder.has(guest)) return;
  if (info.kind === 'dir') builder.addDir(real, reason, info.mode, fileOwner(fs, info));
  else if (info.kind === 'symlink') builder.addSymlink(real, info.target ?? '', reason);
  else if (info.kind === 'file') {
    builder.addFile(real, fs.hostPath(real), info.mode, reason, part, fileOwner(fs, info));
    await addClosureIfElf(builder, real, guest, cache, fs);
  }
}

/** `p` with its parent directories resolved (the last part not followed), and what is there. */
async function locate(fs: FsView, p: string): Promise<{ real: string; info: FsNode; links: PathLink[] } | undefined> {
  const walk = await fs.walk(path.dirname(p));
  if (!walk) return undefined;
  const real = path.join(walk.realPath, path.basename(p));
  const info = await fs.node(real);
  return info && { real, info, links: walk.links };
}

async function isSharedObject(fs: FsView, file: string): Promise<boolean> {
  const found = await locate(fs, file);
  if (found?.info.kind !== 'file') return false;
  const bytes = await fs.readFile(found.real);
  if (!isElf(bytes)) return false;
  try {
    return parseElf(bytes).type === ET.DYN;
  } catch {
    return false;
  }
}
