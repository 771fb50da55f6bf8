// resolveApp: from an app path on the host to the manifest of everything the guest needs to run it.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { isExecutableFile } from '../util/fsx.js';
import { addElfClosure } from './closure.js';
import { addDirectoryApp } from './dirapp.js';
import { SYSTEM_PREFIXES, parseApp } from './appcheck.js';
import { addInclude, addTraced, addTracedDir, applyExcludes } from './extras.js';
import { walkPath } from './hostfs.js';
import { addInterpreters } from './interpreters.js';
import { dropSetuid } from './setuid.js';
import { readLdCache } from './ldcache-file.js';
import type { LdCache } from './ldcache.js';
import { ManifestBuilder, normalizeGuestPath, type Manifest } from './manifest.js';
import { usesOrigin } from './search.js';
import { addOwnPackageExtras, addPackage } from './pkgfiles.js';
import { addPythonModules, isPython } from './python.js';
import { parseShebang } from './shebang.js';
import { straceApp, type StraceOptions } from './strace.js';
import type { TracedCalls } from './strace-calls.js';

export interface ResolveOptions {
  /** Guest directory for apps that live outside the system directories. Default /app. */
  guestDir?: string;
  /** For a directory app: the program to run, relative to the directory. */
  entry?: string;
  /** ld.so.cache to consult; default /etc/ld.so.cache (missing file: no cache). */
  ldCache?: string;
  /** ld.so.conf used to explain a library that cannot be found; default /etc/ld.so.conf. */
  ldSoConf?: string;
  /** Extra host files or trees, "HOST" or "HOST:GUEST" (ELF files bring their libraries). */
  include?: string[];
  /** Guest paths to leave out (with everything under them). */
  exclude?: string[];
  /** Debian packages whose run-time files go in whole (e.g. ca-certificates, tzdata). */
  includePackages?: string[];
  /** Also run the app on the host under strace and add what it opens (dlopen'ed modules, data). */
  strace?: StraceOptions;
  /** Leave out the shared objects and state directories of the app's own Debian package (default: kept). */
  noPackageExtras?: boolean;
  /** The run's output directory: a directory app holding it leaves it out. */
  outDir?: string;
  /** Keep the setuid and setgid bits of the files (default: cleared). */
  keepSetuid?: boolean;
}

/**
 * Where the app goes in the guest: an app under a system prefix (/usr, /bin, /opt, ...) keeps its
 * path; an ELF whose RUNPATH/RPATH uses $ORIGIN keeps its real host path (so $ORIGIN-relative
 * libraries, also kept at their host paths, stay where the loader expects them); anything else
 * goes to <guestDir>/<basename>. A directory app is copied whole to <guestDir>/<basename> (see
 * dirapp.ts) and its entry program is the app, less what leftout.ts keeps out (--include brings
 * one back). No file keeps a setuid or setgid bit unless `keepSetuid`.
 */
export async function resolveApp(appPath: string, options: ResolveOptions = {}): Promise<Manifest> {
  const cache = await readLdCache(options.ldCache ?? '/etc/ld.so.cache');
  const builder = new ManifestBuilder();
  const app = await addApp(builder, appPath, options, cache);
  for (const spec of options.include ?? []) await addInclude(builder, spec, cache);
  for (const pkg of options.includePackages ?? []) await addPackage(builder, pkg, cache);
  let calls: TracedCalls | undefined;
  if (options.strace) {
    const appReal = (await walkPath(app.hostPath))?.realPath;
    const { files, writtenDirs, ...traced } = await straceApp(app.hostPath, options.strace);
    for (const file of files) {
      if (file !== app.hostPath && file !== appReal) await addTraced(builder, file, cache);
    }
    for (const dir of writtenDirs) await addTracedDir(builder, dir);
    calls = traced;
  }
  const manifest = applyExcludes({ ...builder.build(app), ...(calls ? { traced: calls } : {}) }, options.exclude ?? []);
  return options.keepSetuid ? manifest : dropSetuid(manifest);
}

async function addApp(builder: ManifestBuilder, appPath: string, options: ResolveOptions, cache: LdCache | undefined): Promise<Manifest['app']> {
  const guestDir = normalizeGuestPath(options.guestDir ?? '/app');
  const hostPath = path.resolve(appPath);
  const walk = await walkPath(hostPath);
  if (!walk) {
    throw new TinyxError('TINYX_APP_NOT_FOUND', `App ${appPath} does not exist`, { advice: 'Pass the path of the built executable with --app.' });
  }
  const info = await stat(walk.realPath);
  if (info.isDirectory()) {
    const outDir = options.outDir && (await realpath(options.outDir).catch(() => undefined));
    return addDirectoryApp(builder, { hostPath, realPath: walk.realPath, guestDir, entry: options.entry, cache, outDir });
  }
  if (!info.isFile()) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App ${appPath} is not a regular file`, { advice: 'Pass the executable, or a directory holding it.' });
  }
  if (!(await isExecutableFile(walk.realPath))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App ${appPath} is not executable`, { advice: `chmod +x ${appPath}` });
  }
  const bytes = await readFile(walk.realPath);
  const system = SYSTEM_PREFIXES.some((p) => hostPath.startsWith(p));

  if (parseShebang(bytes)) {
    const guestPath = system ? hostPath : path.posix.join(guestDir, path.basename(hostPath));
    if (system) builder.addLinks(walk.links, `symlink on the path to the app ${hostPath}`);
    builder.addFile(system ? walk.realPath : guestPath, walk.realPath, info.mode, 'app (script)', 'app');
    const runner = await addInterpreters(builder, bytes, guestPath, cache, 1);
    if (runner && isPython(runner)) await addPythonModules(builder, { python: runner, scriptHost: walk.realPath, scriptGuest: guestPath, cache });
    return { hostPath, guestPath };
  }
  const elf = parseApp(bytes, appPath);
  let guestPath: string;
  if (system) {
    builder.addLinks(walk.links, `symlink on the path to the app ${hostPath}`);
    builder.addFile(walk.realPath, walk.realPath, info.mode, 'app', 'app');
    guestPath = hostPath;
  } else if (usesOrigin(elf)) {
    builder.addFile(walk.realPath, walk.realPath, info.mode, 'app (kept at its host path: its RUNPATH uses $ORIGIN)', 'app');
    guestPath = walk.realPath;
  } else {
    guestPath = path.posix.join(guestDir, path.basename(hostPath));
    builder.addFile(guestPath, walk.realPath, info.mode, 'app', 'app');
  }
  const executable = { path: walk.realPath, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
  await addElfClosure(builder, { executable, label: guestPath, cache, ldSoConf: options.ldSoConf });
  if (!options.noPackageExtras) await addOwnPackageExtras(builder, walk.realPath, cache);
  return { hostPath, guestPath };
}
