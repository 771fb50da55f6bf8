// Attributes manifest files to Debian packages with one `dpkg -S` and one `dpkg-query` call.
import { execa } from 'execa';
import { readlink, stat } from 'node:fs/promises';
import type { Manifest, ManifestEntry } from './manifest.js';
import { isPlainPath, mergedUsrAlias, parseDpkgSearch, parseDpkgVersions } from './dpkg.js';

export interface PackageInfo {
  /** e.g. "libc6:amd64". */
  package: string;
  version?: string;
}

/**
 * Package of each file or symlink of the manifest, keyed by guest path. Files no package owns
 * (the app, generated files) are absent. Without dpkg (not Debian) the map is empty.
 */
export async function attributePackages(manifest: Manifest): Promise<Map<string, PackageInfo>> {
  // Only symlinks the host has too (not ones the packager made); symlinks to directories
  // (merged-usr /lib -> usr/lib) are directories to dpkg, owned by dozens.
  const wanted: ManifestEntry[] = [];
  for (const e of manifest.entries) {
    if (e.kind === 'file' || (e.kind === 'symlink' && (await isHostLink(e.guestPath, e.target)) && !(await isDirectory(e.guestPath)))) wanted.push(e);
  }
  const hostOf = (e: (typeof wanted)[number]): string => (e.kind === 'file' ? (e.hostPath ?? e.guestPath) : e.guestPath);
  const queries = new Set<string>();
  for (const e of wanted) {
    for (const p of [hostOf(e), mergedUsrAlias(hostOf(e))]) if (p && isPlainPath(p)) queries.add(p);
  }
  const result = new Map<string, PackageInfo>();
  if (queries.size === 0) return result;
  const search = await execa('dpkg', ['-S', ...[...queries].sort()], { reject: false });
  if (search.failed && search.stdout === '' && search.exitCode !== 1) return result;
  const owners = parseDpkgSearch(search.stdout);
  const names = new Set<string>();
  for (const e of wanted) {
    const host = hostOf(e);
    const alias = mergedUsrAlias(host);
    const pkgs = owners.get(host) ?? (alias ? owners.get(alias) : undefined);
    if (!pkgs || pkgs.length === 0) continue;
    const pkg = pkgs.join(', ');
    result.set(e.guestPath, { package: pkg });
    for (const p of pkgs) names.add(p);
  }
  if (names.size === 0) return result;
  const query = await execa('dpkg-query', ['-W', '-f=${binary:Package}\\t${Version}\\n', ...[...names].sort()], { reject: false });
  const versions = parseDpkgVersions(query.stdout);
  for (const info of result.values()) {
    const first = info.package.split(', ')[0] as string;
    const version = versions.get(first) ?? versions.get(first.replace(/:.*$/, ''));
    if (version) info.version = version;
  }
  return result;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isHostLink(p: string, target: string | undefined): Promise<boolean> {
  try {
    return (await readlink(p)) === target;
  } catch {
    return false;
  }
}
