// The guest's files without the host's setuid and setgid bits, unless --keep-setuid asks for them.
import type { Manifest } from './manifest.js';

/** Pure: the manifest with the setuid and setgid bits of its files cleared, each such file saying so. */
export function dropSetuid(manifest: Manifest): Manifest {
  const entries = manifest.entries.map((e) => (e.kind === 'file' && e.mode & 0o6000
    ? { ...e, mode: e.mode & ~0o6000, reason: `${e.reason}; setuid/setgid bit dropped (--keep-setuid keeps it)` }
    : e));
  return { ...manifest, entries };
}
