// The Debian package dependency closure of an app's packages, and what it takes installed: the
// size a plain `apt-get install` of the app would need, to set next to the rootfs.
import { execa } from 'execa';

export interface InstalledPackage {
  /** binary:Package, e.g. "libc6:amd64". */
  id: string;
  name: string;
  /** Installed-Size, in KiB (dpkg's unit). */
  installedKiB: number;
  /** Names this package provides (virtual packages), versions dropped. */
  provides: string[];
  /** Depends and Pre-Depends: each group is a list of alternatives. */
  depends: string[][];
}

export interface PackageClosure {
  roots: string[];
  /** Every package in the closure, roots included, sorted. */
  packages: string[];
  installedBytes: number;
  /** Dependency groups no installed package satisfies (e.g. an alternative for another init system). */
  unresolved: string[];
}

/** How alternatives and virtual packages are counted, for the report. */
export const CLOSURE_RULES = 'Depends and Pre-Depends, followed recursively; of alternatives ("a | b") the first one installed counts; a virtual package counts the first installed package that provides it; Recommends and Suggests are not followed';

const FORMAT = '${binary:Package}\\t${Package}\\t${Installed-Size}\\t${Provides}\\t${Depends}\\t${Pre-Depends}\\t${db:Status-Abbrev}\\n';

/** Pure: "a (>= 1) | b:any, c" -> [["a", "b"], ["c"]]. */
export function parseDependsField(field: string): string[][] {
  return field.split(',').map((group) => group.split('|').map((alt) => alt.trim().replace(/\s*\(.*\)\s*$/, '').replace(/\s*\[.*\]\s*$/, '').replace(/:.*$/, '')).filter(Boolean)).filter((g) => g.length > 0);
}

/** Pure: the dpkg-query lines of installed packages ("ii"). */
export function parseInstalled(stdout: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of stdout.split('\n')) {
    const [id, name, size, provides, depends, preDepends, status] = line.split('\t');
    if (!id || !name || !status?.startsWith('ii')) continue;
    out.push({
      id, name, installedKiB: Number(size) || 0,
      provides: parseDependsField(provides ?? '').flat(),
      depends: [...parseDependsField(preDepends ?? ''), ...parseDependsField(depends ?? '')],
    });
  }
  return out;
}

/** Pure: the closure of `roots` (package names or ids) over `installed`. */
export function packageClosure(roots: string[], installed: InstalledPackage[]): PackageClosure {
  const byName = new Map<string, InstalledPackage>();
  const providers = new Map<string, InstalledPackage>();
  for (const p of installed) {
    if (!byName.has(p.name)) byName.set(p.name, p);
    byName.set(p.id, p);
    for (const v of p.provides) if (!providers.has(v)) providers.set(v, p);
  }
  const find = (name: string) => byName.get(name) ?? byName.get(name.replace(/:.*$/, '')) ?? providers.get(name.replace(/:.*$/, ''));
  const seen = new Map<string, InstalledPackage>();
  const unresolved = new Set<string>();
  const queue = roots.map(find).filter((p): p is InstalledPackage => p !== undefined);
  while (queue.length > 0) {
    const p = queue.shift() as InstalledPackage;
    if (seen.has(p.id)) continue;
    seen.set(p.id, p);
    for (const group of p.depends) {
      const hit = group.map(find).find((q) => q !== undefined);
      if (hit) queue.push(hit);
      else unresolved.add(group.join(' | '));
    }
  }
  const packages = [...seen.keys()].sort();
  return {
    roots: [...roots].sort(),
    packages,
    installedBytes: [...seen.values()].reduce((sum, p) => sum + p.installedKiB * 1024, 0),
    unresolved: [...unresolved].sort(),
  };
}

/** The closure on this host (one dpkg-query call); undefined without dpkg. */
export async function hostPackageClosure(roots: string[]): Promise<PackageClosure | undefined> {
  if (roots.length === 0) return undefined;
  const run = await execa('dpkg-query', ['-W', `-f=${FORMAT}`], { reject: false });
  if (run.exitCode !== 0) return undefined;
  return packageClosure(roots, parseInstalled(String(run.stdout)));
}
