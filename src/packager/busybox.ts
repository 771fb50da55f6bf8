// Finds the static BusyBox to put in the guest and checks it really is static.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { isElf, parseElf } from '../deps/elf.js';
import { isExecutableFile } from '../util/fsx.js';

const ADVICE = 'Install the static build: `apt-get install busybox-static` (it provides /bin/busybox), or pass its path.';

/** The explicit path, else the first `busybox` on PATH, else /bin/busybox; it must be a static ELF. */
export async function findBusybox(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = explicit
    ? [path.resolve(explicit)]
    : [...(env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'busybox')), '/bin/busybox', '/usr/bin/busybox'];
  let dynamicOne: string | undefined;
  for (const candidate of candidates) {
    if (!(await isExecutableFile(candidate))) continue;
    if (await isStaticElf(candidate)) return candidate;
    dynamicOne ??= candidate;
  }
  if (dynamicOne) {
    throw new TinyxError('TINYX_BUSYBOX_NOT_FOUND', `${dynamicOne} is dynamically linked; the guest needs a static BusyBox`, { advice: ADVICE });
  }
  throw new TinyxError('TINYX_BUSYBOX_NOT_FOUND', explicit ? `BusyBox ${explicit} not found or not executable` : 'No BusyBox found on PATH', { advice: ADVICE });
}

/** True for an ELF executable without PT_INTERP. */
export async function isStaticElf(file: string): Promise<boolean> {
  const bytes = await readFile(file);
  if (!isElf(bytes)) return false;
  try {
    return parseElf(bytes).interp === undefined;
  } catch {
    return false;
  }
}
