// Builds, offline, a Debian-based image of a packaged server as `FROM debian:bookworm` + `apt-get install PKG` would: from this host's installed packages (scripts/images/debian.mjs).
import { buildDebianImage as buildImage } from '../../scripts/images/debian.mjs';

export interface DebianImageOptions {
  packages: string[];
  entrypoint: string[];
  cmd?: string[];
  ports?: string[];
}

/**
 * An OCI layout at `dir`/layout, tag "debian": the Depends closure of `packages` and the base,
 * every file `dpkg -L` lists for them copied from this host at its real path (so /bin/dash lands
 * in usr/bin, below the merged-/usr symlinks, as in a layer docker writes), the system accounts
 * and a dpkg status file and file lists (info/*.list) of just those packages. Maintainer scripts are not run.
 */
export async function buildDebianImage(dir: string, options: DebianImageOptions): Promise<string> {
  return buildImage(dir, { packages: options.packages, config: { entrypoint: options.entrypoint, cmd: options.cmd, exposedports: options.ports } });
}
