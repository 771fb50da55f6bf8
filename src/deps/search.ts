// Pure planning of where the glibc dynamic loader looks for a DT_NEEDED name, in its order.
import path from 'node:path';

export interface SearchObject {
  /** Path the object was loaded from (its $ORIGIN is the directory of this path). */
  path: string;
  bits: 32 | 64;
  machine: number;
  runpath?: string[];
  rpath?: string[];
}

export interface SearchContext {
  /** The object whose DT_NEEDED is being resolved. */
  requester: SearchObject;
  /** The main executable (its DT_RPATH is searched too when the requester has no DT_RUNPATH). */
  executable: SearchObject;
  /** Paths ld.so.cache offers for the name (already looked up). */
  cached: string[];
}

export type SearchVia = 'path' | 'rpath' | 'runpath' | 'ld.so.cache' | 'default';

export interface LoaderPath {
  path: string;
  via: SearchVia;
}

/** glibc's built-in system directories for a machine (Debian multiarch layout). */
export function defaultDirs(bits: 32 | 64, machine: number): string[] {
  const triplet = multiarchTriplet(bits, machine);
  const dirs = triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : [];
  return [...dirs, '/lib', '/usr/lib'];
}

/** Debian's multiarch triplet for common machines; undefined when unknown. */
export function multiarchTriplet(bits: 32 | 64, machine: number): string | undefined {
  if (machine === 62) return bits === 64 ? 'x86_64-linux-gnu' : 'x86_64-linux-gnux32';
  if (machine === 3) return 'i386-linux-gnu';
  if (machine === 183) return 'aarch64-linux-gnu';
  if (machine === 40) return 'arm-linux-gnueabihf';
  if (machine === 243) return bits === 64 ? 'riscv64-linux-gnu' : undefined;
  return undefined;
}

/** AT_PLATFORM as the kernel reports it, used for $PLATFORM. */
export function platformName(bits: 32 | 64, machine: number): string {
  if (machine === 62) return 'x86_64';
  if (machine === 3) return 'i686';
  if (machine === 183) return 'aarch64';
  return bits === 64 ? 'x86_64' : 'i686';
}

/** Expand $ORIGIN, $LIB and $PLATFORM (and their ${...} forms) in a search-path element. */
export function expandTokens(element: string, object: SearchObject): string {
  const triplet = multiarchTriplet(object.bits, object.machine);
  const values: Record<string, string> = {
    ORIGIN: path.dirname(object.path),
    LIB: triplet ? `lib/${triplet}` : object.bits === 64 ? 'lib64' : 'lib',
    PLATFORM: platformName(object.bits, object.machine),
  };
  return element.replace(/\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_]))/g, (_m, a?: string, b?: string) => values[(a ?? b) as string] ?? '');
}

/** True when any search-path element uses $ORIGIN (so the object's location matters). */
export function usesOrigin(object: { runpath?: string[]; rpath?: string[] }): boolean {
  return [...(object.runpath ?? []), ...(object.rpath ?? [])].some((e) => /\$(\{ORIGIN\}|ORIGIN)/.test(e));
}

/** Every place the loader tries for `name`, in order; duplicates removed (first kept). */
export function searchCandidates(name: string, context: SearchContext): LoaderPath[] {
  const { requester, executable } = context;
  if (name.includes('/')) {
    const expanded = expandTokens(name, requester);
    return [{ path: path.resolve(path.dirname(requester.path), expanded), via: 'path' }];
  }
  const out: LoaderPath[] = [];
  const inDirs = (dirs: string[] | undefined, owner: SearchObject, via: SearchVia): void => {
    for (const dir of dirs ?? []) {
      const expanded = expandTokens(dir, owner);
      if (!path.isAbsolute(expanded)) continue; // relative entries depend on the cwd: the loader's result is not reproducible
      out.push({ path: path.join(expanded, name), via });
    }
  };
  if (!requester.runpath) {
    inDirs(requester.rpath, requester, 'rpath');
    if (executable !== requester && !executable.runpath) inDirs(executable.rpath, executable, 'rpath');
  }
  inDirs(requester.runpath, requester, 'runpath');
  for (const p of context.cached) out.push({ path: p, via: 'ld.so.cache' });
  for (const dir of defaultDirs(requester.bits, requester.machine)) out.push({ path: path.join(dir, name), via: 'default' });
  const seen = new Set<string>();
  return out.filter((c) => (seen.has(c.path) ? false : (seen.add(c.path), true)));
}
