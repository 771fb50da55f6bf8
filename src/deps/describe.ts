// Pure rendering of a manifest for people (aligned table) and programs (JSON rows).
import type { LeftOut } from './leftout.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import type { PackageInfo } from './packages.js';

export interface DepsRow {
  guestPath: string;
  kind: ManifestEntry['kind'];
  /** Bytes of the host file (files only). */
  size?: number;
  hostPath?: string;
  target?: string;
  reason: string;
  package?: string;
  version?: string;
}

export interface DepsReport {
  app: Manifest['app'];
  entries: DepsRow[];
  totals: { files: number; symlinks: number; dirs: number; bytes: number; packages: string[] };
  /** What a directory app left out of the guest (empty for other apps). */
  excluded: LeftOut[];
}

export function depsReport(manifest: Manifest, sizes: Map<string, number>, packages: Map<string, PackageInfo>): DepsReport {
  const entries = manifest.entries.map((e): DepsRow => {
    const pkg = packages.get(e.guestPath) ?? (e.package ? { package: e.package } : undefined);
    return {
      guestPath: e.guestPath,
      kind: e.kind,
      ...(sizes.has(e.guestPath) ? { size: sizes.get(e.guestPath) } : {}),
      ...(e.hostPath && e.hostPath !== e.guestPath ? { hostPath: e.hostPath } : {}),
      ...(e.target ? { target: e.target } : {}),
      reason: e.reason,
      ...(pkg ? { package: pkg.package, ...(pkg.version ? { version: pkg.version } : {}) } : {}),
    };
  });
  const count = (k: ManifestEntry['kind']): number => entries.filter((e) => e.kind === k).length;
  const pkgs = [...new Set(entries.map((e) => (e.package ? `${e.package}${e.version ? ` ${e.version}` : ''}` : '')).filter(Boolean))].sort();
  return {
    app: manifest.app,
    entries,
    totals: { files: count('file'), symlinks: count('symlink'), dirs: count('dir'), bytes: entries.reduce((s, e) => s + (e.size ?? 0), 0), packages: pkgs },
    excluded: manifest.excluded ?? [],
  };
}

export function formatDepsText(report: DepsReport): string {
  const rows = report.entries.filter((e) => e.kind !== 'dir');
  const pathOf = (e: DepsRow): string => (e.kind === 'symlink' ? `${e.guestPath} -> ${e.target}` : e.guestPath);
  const width = Math.max(10, ...rows.map((e) => pathOf(e).length));
  const pkgWidth = Math.max(7, ...rows.map((e) => (e.package ?? '-').length));
  const lines = [
    `App ${report.app.hostPath} -> ${report.app.guestPath} in the guest`,
    '',
    `${'SIZE'.padStart(9)}  ${'GUEST PATH'.padEnd(width)}  ${'PACKAGE'.padEnd(pkgWidth)}  WHY`,
    ...rows.map((e) => `${(e.size === undefined ? '' : humanBytes(e.size)).padStart(9)}  ${pathOf(e).padEnd(width)}  ${(e.package ?? '-').padEnd(pkgWidth)}  ${e.reason}${e.hostPath ? ` [from ${e.hostPath}]` : ''}`),
    '',
    `${report.totals.files} files (${humanBytes(report.totals.bytes)}), ${report.totals.symlinks} symlinks, ${report.totals.dirs} directories`,
  ];
  if (report.totals.packages.length > 0) lines.push(`Packages: ${report.totals.packages.join('; ')}`);
  if (report.excluded.length > 0) {
    const pathWidth = Math.max(...report.excluded.map((x) => x.path.length));
    lines.push('', 'Left out of the app directory (--include PATH puts one in):', ...report.excluded.map((x) => `  ${x.path.padEnd(pathWidth)}  ${x.why}`));
  }
  return `${lines.join('\n')}\n`;
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}
