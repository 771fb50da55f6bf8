// Python scripts: the interpreter's start-up modules plus the stdlib modules the script imports
// (found by the interpreter's own modulefinder on the host), not the whole of /usr/lib/python3.X.
import { execa } from 'execa';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { addClosureIfElf } from './extras.js';
import { walkPath } from './hostfs.js';
import { GUEST_PATH } from './interpreters.js';
import type { LdCache } from './ldcache.js';
import type { ManifestBuilder } from './manifest.js';

/**
 * Run by the script's own interpreter: modulefinder reads the script (and modules beside it)
 * without running them, and lists the modules they import directly.
 */
const FINDER = String.raw`
import json, modulefinder, os, sys
script = os.path.abspath(sys.argv[1])
here = os.path.dirname(script)
local = lambda m: m.__name__ == '__main__' or (m.__file__ or '').startswith(here + '/')
class Finder(modulefinder.ModuleFinder):
    def scan_code(self, co, m):
        if local(m):
            super().scan_code(co, m)
finder = Finder(path=[here] + sys.path[1:])
finder.run_script(script)
mods = finder.modules.values()
dynload = [p for p in sys.path if p.endswith('/lib-dynload')]
print(json.dumps({
  'direct': sorted(m.__name__ for m in mods if not local(m)),
  'local': sorted(m.__file__ for m in mods if local(m) and m.__name__ != '__main__'),
  'missing': sorted(finder.badmodules),
  'stdlib': os.path.dirname(os.__file__),
  'dynload': dynload,
}))
`;

/**
 * Then, in a fresh interpreter, those modules are imported (not the script): every file loaded
 * counts, except third-party modules loaded at start-up (by the host's .pth files, which the guest
 * does not get). Codecs load lazily by name: the common ones go in, and idna with socket (its host name
 * functions encode with it).
 */
const LOADER = String.raw`
import sys
startup = {getattr(m, '__file__', None) or '' for m in list(sys.modules.values())}
def load(name):
    try:
        __import__(name)
    except BaseException:
        pass
for name in sys.argv[1:] + ['encodings.ascii', 'encodings.latin_1']:
    load(name)
if 'socket' in sys.modules:
    load('encodings.idna')
site = ('/dist-packages/', '/site-packages/')
pth_only = {f for f in startup if any(d in f for d in site)}
print('\n'.join(sorted({getattr(m, '__file__', None) or '' for m in list(sys.modules.values())} - pth_only - {''})))
`;

export interface PythonModules {
  /** Modules the local code imports directly (dotted names). */
  direct: string[];
  /** Every module file loaded by start-up plus importing `direct`. */
  loaded: string[];
  /** Modules beside the script that it imports. */
  local: string[];
  /** Imports modulefinder could not resolve (often optional, platform-specific ones). */
  missing: string[];
  /** The directory of os.py, which the interpreter looks for to find its prefix. */
  stdlib: string;
  dynload: string[];
}

/** True for python3, python3.11 (the real program's name, symlinks resolved). */
export function isPython(interpreter: string): boolean {
  return /^python3(\.\d+)?$/.test(path.basename(interpreter));
}

/** Ask `python` (the script's interpreter, never whatever is first on PATH) which modules `script` needs. */
export async function findPythonModules(python: string, script: string): Promise<PythonModules> {
  const options = { reject: false, env: { PATH: GUEST_PATH, HOME: '/' }, extendEnv: false, timeout: 120_000, stdin: 'ignore', cwd: '/' } as const;
  const run = await execa(python, ['-c', FINDER, script], options);
  if (run.exitCode !== 0) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `Cannot list the modules of ${script} with ${python}: ${String(run.stderr).trim().split('\n').slice(-3).join(' ')}`, {
      advice: 'Check that the script compiles (python3 -m py_compile SCRIPT), or --include the modules by hand.',
    });
  }
  const found = JSON.parse(String(run.stdout)) as Omit<PythonModules, 'loaded'>;
  const load = await execa(python, ['-c', LOADER, ...found.direct], options);
  return { ...found, loaded: String(load.stdout).split('\n').filter((f) => f.startsWith('/')) };
}

/**
 * Add the modules of a Python script: start-up modules, os.py and lib-dynload (the interpreter's
 * landmarks), and every module the script imports, each at its host path; extension modules
 * bring their libraries. Modules beside the script go beside it in the guest.
 */
export async function addPythonModules(builder: ManifestBuilder, input: { python: string; scriptHost: string; scriptGuest: string; cache: LdCache | undefined }): Promise<PythonModules> {
  const found = await findPythonModules(input.python, input.scriptHost);
  const scriptDir = path.dirname(input.scriptHost);
  const guestDir = path.posix.dirname(input.scriptGuest);
  const landmarks = [path.join(found.stdlib, 'os.py')];
  const reason = `Python module loaded by ${input.python} at start-up or when importing what ${input.scriptGuest} imports`;
  for (const file of new Set([...landmarks, ...found.loaded, ...found.local])) {
    if (file.startsWith(`${scriptDir}/`)) {
      const guest = path.posix.join(guestDir, path.relative(scriptDir, file));
      if (!builder.has(guest)) builder.addFile(guest, file, (await lstat(file)).mode, `module beside ${input.scriptGuest}`, 'app');
      continue;
    }
    await addHostFile(builder, file, reason, input.cache);
  }
  for (const dir of found.dynload) {
    const walk = await walkPath(dir);
    if (!walk) continue;
    builder.addLinks(walk.links, `lib-dynload of ${input.python}`);
    if (!builder.has(builder.guestPathOf(walk.realPath))) builder.addDir(walk.realPath, `lib-dynload of ${input.python} (the interpreter looks for it)`);
  }
  return found;
}

async function addHostFile(builder: ManifestBuilder, file: string, reason: string, cache: LdCache | undefined): Promise<void> {
  const walk = await walkPath(file);
  if (!walk) return;
  const info = await lstat(walk.realPath);
  if (!info.isFile()) return;
  builder.addLinks(walk.links, reason);
  if (builder.has(builder.guestPathOf(walk.realPath))) return;
  builder.addFile(walk.realPath, walk.realPath, info.mode, reason, 'libraries');
  await addClosureIfElf(builder, walk.realPath, walk.realPath, cache);
}
