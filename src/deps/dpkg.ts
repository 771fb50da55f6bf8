// Pure helpers for attributing files to Debian packages: dpkg -S / dpkg-query output parsers, merged-usr aliases.

/** Directories that merged-usr turned into symlinks to their /usr counterparts. */
const MERGED = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * The other spelling of a path under merged-usr (/usr/lib/x -> /lib/x and back). dpkg's database
 * keeps the path as the package shipped it, which may be either spelling.
 */
export function mergedUsrAlias(p: string): string | undefined {
  for (const dir of MERGED) {
    if (p.startsWith(`/usr/${dir}/`)) return p.slice(4);
    if (p.startsWith(`/${dir}/`)) return `/usr${p}`;
  }
  return undefined;
}

/** `dpkg -S` lines "pkg1:arch, pkg2: /path" -> path -> packages. Diversion lines are skipped. */
export function parseDpkgSearch(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith('diversion by')) continue;
    const at = line.indexOf(': /');
    if (at < 0) continue;
    const packages = line.slice(0, at).split(',').map((s) => s.trim()).filter(Boolean);
    const path = line.slice(at + 2);
    out.set(path, [...(out.get(path) ?? []), ...packages]);
  }
  return out;
}

/** `dpkg-query -W -f='${binary:Package}\t${Version}\n'` lines -> package -> version. */
export function parseDpkgVersions(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && version) out.set(name, version);
  }
  return out;
}

/** dpkg -S treats *, ? and [ as glob characters: such paths cannot be asked for exactly. */
export function isPlainPath(p: string): boolean {
  return !/[*?[\]\\]/.test(p);
}
