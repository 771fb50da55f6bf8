// resolveApp: from an app path on the host to the manifest of everything the guest needs to run it.
import { access, constants, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { addElfClosure } from './closure.js';
import { isElf, parseElf, ET, machineName } from './elf.js';
import { walkPath } from './hostfs.js';
import { readLdCache } from './ldcache-file.js';
import type { LdCache } from './ldcache.js';
import { addInclude, applyExcludes } from './extras.js';
import { ManifestBuilder, normalizeGuestPath, type Manifest } from './manifest.js';
import { usesOrigin } from './search.js';
import { envTarget, parseShebang } from './shebang.js';

export interface ResolveOptions {
  /** Guest directory for apps that live outside the system directories. Default /app. */
  guestDir?: string;
  /** ld.so.cache to consult; default /etc/ld.so.cache (missing file: no cache). */
  ldCache?: string;
  /** Extra host files or trees, "HOST" or "HOST:GUEST" (ELF files bring their libraries). */
  include?: string[];
  /** Guest paths to leave out (with everything under them). */
  exclude?: string[];
}

/** Host prefixes whose files keep their own path in the guest. */
const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/', '/opt/'];
/** PATH used to resolve `#!/usr/bin/env NAME` (the guest init sets the same PATH). */
export const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Linux follows at most this many nested interpreters (BINPRM_MAX_RECURSION). */
const MAX_INTERPRETERS = 4;

/**
 * Where the app goes in the guest: an app under a system prefix (/usr, /bin, /opt, ...) keeps its
 * path; an ELF whose RUNPATH/RPATH uses $ORIGIN keeps its real host path (so $ORIGIN-relative
 * libraries, also kept at their host paths, stay where the loader expects them); anything else
 * goes to <guestDir>/<basename>.
 */
export async function resolveApp(appPath: string, options: ResolveOptions = {}): Promise<Manifest> {
  const cache = await readLdCache(options.ldCache ?? '/etc/ld.so.cache');
  const builder = new ManifestBuilder();
  const app = await addApp(builder, appPath, options, cache);
  for (const spec of options.include ?? []) await addInclude(builder, spec, cache);
  return applyExcludes(builder.build(app), options.exclude ?? []);
}

async function addApp(builder: ManifestBuilder, appPath: string, options: ResolveOptions, cache: LdCache | undefined): Promise<Manifest['app']> {
  const guestDir = normalizeGuestPath(options.guestDir ?? '/app');
  const hostPath = path.resolve(appPath);
  const walk = await walkPath(hostPath);
  if (!walk) {
    throw new TinyxError('TINYX_APP_NOT_FOUND', `App ${appPath} does not exist`, { advice: 'Pass the path of the built executable with --app.' });
  }
  const info = await stat(walk.realPath);
  if (!info.isFile()) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App ${appPath} is not a regular file`, { advice: 'Pass the executable itself, not a directory.' });
  }
  if (!(await isExecutable(walk.realPath))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App ${appPath} is not executable`, { advice: `chmod +x ${appPath}` });
  }
  const bytes = await readFile(walk.realPath);
  const system = SYSTEM_PREFIXES.some((p) => hostPath.startsWith(p));

  const shebang = parseShebang(bytes);
  if (shebang) {
    const guestPath = system ? hostPath : path.posix.join(guestDir, path.basename(hostPath));
    if (system) builder.addLinks(walk.links, `symlink on the path to the app ${hostPath}`);
    builder.addFile(system ? walk.realPath : guestPath, walk.realPath, info.mode, 'app (script)');
    await addInterpreters(builder, bytes, guestPath, cache, 1);
    return { hostPath, guestPath };
  }
  if (!isElf(bytes)) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is neither an ELF executable nor a #! script`, {
      advice: 'Pass the compiled binary (check with `file`), or a script starting with #!.',
    });
  }
  const elf = parseApp(bytes, appPath);
  let guestPath: string;
  if (system) {
    builder.addLinks(walk.links, `symlink on the path to the app ${hostPath}`);
    builder.addFile(walk.realPath, walk.realPath, info.mode, 'app');
    guestPath = hostPath;
  } else if (usesOrigin(elf)) {
    builder.addFile(walk.realPath, walk.realPath, info.mode, 'app (kept at its host path: its RUNPATH uses $ORIGIN)');
    guestPath = walk.realPath;
  } else {
    guestPath = path.posix.join(guestDir, path.basename(hostPath));
    builder.addFile(guestPath, walk.realPath, info.mode, 'app');
  }
  const executable = { path: walk.realPath, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
  await addElfClosure(builder, { executable, label: guestPath, cache });
  return { hostPath, guestPath };
}

function parseApp(bytes: Uint8Array, appPath: string): ReturnType<typeof parseElf> {
  let elf;
  try {
    elf = parseElf(bytes);
  } catch (cause) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is a malformed ELF file`, { cause });
  }
  if (elf.type !== ET.EXEC && elf.type !== ET.DYN) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is an ELF ${elf.type === ET.REL ? 'object file' : 'core dump'}, not an executable`, {
      advice: 'Link it into an executable first.',
    });
  }
  if (elf.type === ET.DYN && !elf.interp && elf.soname) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is a shared library (${machineName(elf.machine)}), not an executable`);
  }
  return elf;
}

/** Add a script's interpreter chain (and `env`'s target) with their ELF closures. */
async function addInterpreters(builder: ManifestBuilder, bytes: Uint8Array, label: string, cache: LdCache | undefined, depth: number): Promise<void> {
  const shebang = parseShebang(bytes);
  if (!shebang) return;
  if (depth > MAX_INTERPRETERS) throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `Too many nested #! interpreters below ${label}`);
  const programs = [shebang.interpreter];
  const target = envTarget(shebang);
  if (target) {
    const found = await findInPath(target);
    if (!found) throw new TinyxError('TINYX_APP_NOT_FOUND', `${label} runs \`env ${target}\` but ${target} is not in ${GUEST_PATH}`);
    programs.push(found);
  }
  for (const program of programs) {
    if (!path.isAbsolute(program)) throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `${label} names a relative interpreter ${program}`);
    const walk = await walkPath(program);
    if (!walk) throw new TinyxError('TINYX_APP_NOT_FOUND', `Interpreter ${program} of ${label} does not exist on this host`, { advice: 'Install it or fix the #! line.' });
    const info = await stat(walk.realPath);
    builder.addLinks(walk.links, `symlink on the path to ${program}`);
    builder.addFile(walk.realPath, walk.realPath, info.mode, `interpreter of ${label}`);
    const programBytes = await readFile(walk.realPath);
    if (parseShebang(programBytes)) {
      await addInterpreters(builder, programBytes, program, cache, depth + 1);
      continue;
    }
    if (!isElf(programBytes)) throw new TinyxError('TINYX_APP_NOT_ELF', `Interpreter ${program} of ${label} is neither ELF nor a script`);
    const elf = parseElf(programBytes);
    const executable = { path: walk.realPath, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
    await addElfClosure(builder, { executable, label: program, cache });
  }
}

async function findInPath(name: string): Promise<string | undefined> {
  for (const dir of GUEST_PATH.split(':')) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
