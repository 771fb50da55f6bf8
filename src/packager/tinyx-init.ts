// Finds tinyx's own guest init (tinyx-init.c, compiled by scripts/setup.sh) and checks it is a static ELF.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { isExecutableFile } from '../util/fsx.js';
import { packageRoot } from '../util/paths.js';
import { isStaticElf } from './busybox.js';

/** Where the set-up compiles it, relative to the package root (the same for `node dist/...` and for the TS sources). */
export const TINYX_INIT_BUILT = 'build/tinyx-init';
/** Its source, relative to the package root. */
export const TINYX_INIT_SOURCE = 'src/packager/tinyx-init.c';
/** How the set-up compiles it (scripts/setup.sh runs the same; the tests compile with it too). */
export const TINYX_INIT_CFLAGS = ['-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror'];

const ADVICE = `Run the set-up (\`npm run setup\`, which compiles ${TINYX_INIT_SOURCE} with musl-gcc; it needs \`apt-get install musl-tools\`), or use --init busybox.`;

/** The explicit path, else the one the set-up compiled; it must be an executable static ELF. */
export async function findTinyxInit(explicit?: string): Promise<string> {
  const file = path.resolve(explicit ?? path.join(packageRoot(), TINYX_INIT_BUILT));
  if (!(await isExecutableFile(file))) {
    throw new TinyxError('TINYX_INIT_NOT_FOUND', `tinyx's init ${file} is missing (or not executable)`, { advice: ADVICE });
  }
  if (!(await isStaticElf(file))) {
    throw new TinyxError('TINYX_INIT_NOT_FOUND', `tinyx's init ${file} is not a static ELF executable, so it cannot be the guest's /init`, { advice: ADVICE });
  }
  return file;
}
