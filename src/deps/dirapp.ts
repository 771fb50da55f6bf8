// Directory apps: a whole tree (program, private libraries, data) copied into the guest, one entry program run.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { isExecutableFile } from '../util/fsx.js';
import { isElf, parseElf } from './elf.js';
import { addInclude } from './extras.js';
import { addInterpreters } from './interpreters.js';
import type { LdCache } from './ldcache.js';
import { findLeftOut, isLeftOut, leftOutName, type LeftOut } from './leftout.js';
import type { Manifest, ManifestBuilder } from './manifest.js';
import { SYSTEM_PREFIXES, parseApp } from './appcheck.js';
import { addPythonModules, isPython } from './python.js';
import { parseShebang } from './shebang.js';

export interface DirectoryApp {
  hostPath: string;
  realPath: string;
  guestDir: string;
  entry?: string;
  cache: LdCache | undefined;
  /** The run's output directory (real path): left out when it is inside the tree. */
  outDir?: string;
}

/**
 * Copy the tree to <guestDir>/<basename> (kept at its host path when it lives under /usr, /opt...,
 * or when one of its ELF files has an absolute RUNPATH/RPATH into the tree), with the closure of
 * every ELF file in it; $ORIGIN-relative paths keep working because the layout is unchanged.
 * Version control data, secrets, editor debris and tinyx output stay out (leftout.ts).
 */
export async function addDirectoryApp(builder: ManifestBuilder, app: DirectoryApp): Promise<Manifest['app']> {
  const entry = app.entry ?? (await pickEntry(app.realPath));
  const entryHost = path.resolve(app.realPath, entry);
  if (!entryHost.startsWith(`${app.realPath}/`)) throw new TinyxError('TINYX_USAGE', `Entry ${entry} is outside the app directory ${app.hostPath}`);
  if (!(await isExecutableFile(entryHost))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `Entry ${entry} of the app directory ${app.hostPath} is not an executable file`, { advice: 'Pass the program to run inside the directory with --entry.' });
  }
  const leftOut = (await findLeftOut(app.realPath, app.outDir)).filter((x) => !isLeftOut(entryHost, [x])); // an --entry named there goes in
  builder.leaveOut(leftOut);
  const keep = SYSTEM_PREFIXES.some((p) => app.realPath.startsWith(p)) || (await hasAbsolutePathsInto(app.realPath, leftOut));
  const guestRoot = keep ? app.realPath : path.posix.join(app.guestDir, path.basename(app.realPath));
  if (!keep) builder.relocate(app.realPath, guestRoot);
  await addInclude(builder, keep ? app.realPath : `${app.realPath}:${guestRoot}`, app.cache, 'app');
  const guestPath = builder.guestPathOf(entryHost);
  const bytes = await readFile(entryHost);
  if (parseShebang(bytes)) {
    const runner = await addInterpreters(builder, bytes, guestPath, app.cache, 1);
    if (runner && isPython(runner)) await addPythonModules(builder, { python: runner, scriptHost: entryHost, scriptGuest: guestPath, cache: app.cache });
  } else parseApp(bytes, entryHost);
  return { hostPath: entryHost, guestPath };
}

/** bin/<name>, <name>, run or start; else the only executable at the top or in bin/. */
export async function pickEntry(dir: string): Promise<string> {
  const name = path.basename(dir);
  for (const candidate of [`bin/${name}`, name, 'run', 'start']) {
    if (await isExecutableFile(path.join(dir, candidate))) return candidate;
  }
  const found: string[] = [];
  for (const sub of ['', 'bin']) {
    const names = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const n of names.sort()) if (!leftOutName(n) && (await isExecutableFile(path.join(dir, sub, n)))) found.push(path.posix.join(sub, n));
  }
  if (found.length === 1) return found[0] as string;
  throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `Cannot tell which program of the app directory ${dir} to run (${found.length === 0 ? 'no executables' : found.join(', ')})`, {
    advice: 'Pass it with --entry (relative to the directory), or name it bin/<dirname> or run.',
  });
}

/** True when an ELF file in the tree (what is left out aside) has an absolute RUNPATH/RPATH pointing into the tree. */
async function hasAbsolutePathsInto(root: string, leftOut: LeftOut[]): Promise<boolean> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (isLeftOut(p, leftOut)) continue;
      if (ent.isDirectory()) stack.push(p);
      else if (ent.isFile() && (await stat(p)).size >= 64) {
        const bytes = await readFile(p);
        if (!isElf(bytes)) continue;
        try {
          const elf = parseElf(bytes);
          if ([...(elf.runpath ?? []), ...(elf.rpath ?? [])].some((d) => d === root || d.startsWith(`${root}/`))) return true;
        } catch {
          // not a usable ELF: it is copied as data
        }
      }
    }
  }
  return false;
}
