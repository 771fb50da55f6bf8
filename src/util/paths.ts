// Where tinyx keeps what outlives one run: unpacked kernel trees, build dirs, ccache, artifacts.
import { homedir } from 'node:os';
import path from 'node:path';

/** The cache root: $TINYX_CACHE, else $XDG_CACHE_HOME/tinyx, else ~/.cache/tinyx. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TINYX_CACHE) return path.resolve(env.TINYX_CACHE);
  const xdg = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(xdg, 'tinyx');
}

/** The repository root (profiles/, scripts/ live there), found from this file's location. */
export function packageRoot(): string {
  // dist/util/paths.js or src/util/paths.ts: two levels up either way.
  return path.resolve(new URL('.', import.meta.url).pathname, '..', '..');
}
