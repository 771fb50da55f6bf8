// Script apps: the "#!" interpreter chain (and `env`'s target) with their ELF closures.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { addElfClosure } from './closure.js';
import { isElf, parseElf } from './elf.js';
import { fileOwner, hostFs, type FsView } from './fsview.js';
import type { LdCache } from './ldcache.js';
import type { ManifestBuilder } from './manifest.js';
import { envTarget, parseShebang } from './shebang.js';

/** PATH used to resolve `#!/usr/bin/env NAME` (the guest init sets the same PATH). */
export const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Linux follows at most this many nested interpreters (BINPRM_MAX_RECURSION). */
const MAX_INTERPRETERS = 4;

/**
 * Add a script's interpreter chain (and `env`'s target) with their ELF closures, all found in `fs`.
 * Returns the real path of the program that runs the script (`env`'s target for `#!/usr/bin/env NAME`).
 */
export async function addInterpreters(builder: ManifestBuilder, bytes: Uint8Array, label: string, cache: LdCache | undefined, depth: number, fs: FsView = hostFs): Promise<string | undefined> {
  const shebang = parseShebang(bytes);
  if (!shebang) return undefined;
  let runner: string | undefined;
  if (depth > MAX_INTERPRETERS) throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `Too many nested #! interpreters below ${label}`);
  const programs = [shebang.interpreter];
  const target = envTarget(shebang);
  if (target) {
    const found = await findInPath(fs, target);
    if (!found) throw new TinyxError('TINYX_APP_NOT_FOUND', `${label} runs \`env ${target}\` but ${target} is not in ${GUEST_PATH}`);
    programs.push(found);
  }
  for (const program of programs) {
    if (!path.isAbsolute(program)) throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `${label} names a relative interpreter ${program}`);
    const walk = await fs.walk(program);
    const info = walk && (await fs.node(walk.realPath));
    if (!walk || !info) throw new TinyxError('TINYX_APP_NOT_FOUND', `Interpreter ${program} of ${label} does not exist ${fs.where}`, { advice: 'Install it or fix the #! line.' });
    builder.addLinks(walk.links, `symlink on the path to ${program}`);
    builder.addFile(walk.realPath, fs.hostPath(walk.realPath), info.mode, `interpreter of ${label}`, 'libraries', fileOwner(fs, info));
    runner = walk.realPath;
    const programBytes = await fs.readFile(walk.realPath);
    if (parseShebang(programBytes)) {
      await addInterpreters(builder, programBytes, program, cache, depth + 1, fs);
      continue;
    }
    if (!isElf(programBytes)) throw new TinyxError('TINYX_APP_NOT_ELF', `Interpreter ${program} of ${label} is neither ELF nor a script`);
    const elf = parseElf(programBytes);
    const executable = { path: walk.realPath, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
    await addElfClosure(builder, { executable, label: program, cache, fs });
  }
  return runner;
}

async function findInPath(fs: FsView, name: string): Promise<string | undefined> {
  for (const dir of GUEST_PATH.split(':')) {
    const candidate = path.join(dir, name);
    if (await fs.isExecutable(candidate)) return candidate;
  }
  return undefined;
}
