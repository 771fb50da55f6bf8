// Script apps: the "#!" interpreter chain (and `env`'s target) with their ELF closures.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { addElfClosure } from './closure.js';
import { isElf, parseElf } from './elf.js';
import { walkPath } from './hostfs.js';
import type { LdCache } from './ldcache.js';
import type { ManifestBuilder } from './manifest.js';
import { envTarget, parseShebang } from './shebang.js';
import { isExecutableFile as isExecutable } from '../util/fsx.js';

/** PATH used to resolve `#!/usr/bin/env NAME` (the guest init sets the same PATH). */
export const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Linux follows at most this many nested interpreters (BINPRM_MAX_RECURSION). */
const MAX_INTERPRETERS = 4;

/**
 * Add a script's interpreter chain (and `env`'s target) with their ELF closures. Returns the real
 * path of the program that runs the script (`env`'s target for `#!/usr/bin/env NAME`).
 */
export async function addInterpreters(builder: ManifestBuilder, bytes: Uint8Array, label: string, cache: LdCache | undefined, depth: number): Promise<string | undefined> {
  const shebang = parseShebang(bytes);
  if (!shebang) return undefined;
  let runner: string | undefined;
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
    builder.addFile(walk.realPath, walk.realPath, info.mode, `interpreter of ${label}`, 'libraries');
    runner = walk.realPath;
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
  return runner;
}

async function findInPath(name: string): Promise<string | undefined> {
  for (const dir of GUEST_PATH.split(':')) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}
