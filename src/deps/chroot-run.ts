// The command line that runs an image's program under strace in a private root: a mount and PID namespace, an overlay of the image, its own /proc, /dev, /sys and /tmp.
import path from 'node:path';
import type { DefaultRun } from '../image/run-config.js';
import type { Tree } from '../image/tree.js';
import { quote } from '../util/shell.js';
import { walkImage } from './imagefs.js';

/** The host programs the run needs, by absolute path. */
export interface ChrootTools {
  setpriv: string;
  unshare: string;
  sh: string;
  mount: string;
  mknod: string;
  strace: string;
  env: string;
}

export const TOOL_NAMES: readonly (keyof ChrootTools)[] = ['setpriv', 'unshare', 'sh', 'mount', 'mknod', 'strace', 'env'];

/** What the image's program is started as. */
export type ChrootRun = Pick<DefaultRun, 'argv' | 'env' | 'workingDir' | 'user'>;

/** In the scratch dir: the image's owners, `uid:gid path` per line (see image-trace.ts ownersList). */
export const OWNERS_FILE = 'owners';

/** Exit status of the set-up script when a mount (or a directory for one) fails: nothing ran. */
export const SETUP_FAILED = 125;

/**
 * Runs in the new namespaces, as their first process: $1 the scratch dir (its `ns` sub-directory
 * empty), $2 the image root, $3 a working directory to create (image path, no symlink on it) or
 * "", $4 the strace log, then the command to trace (every call of it, no signal). Every mount is
 * private to the namespace: it goes away with the namespace's last process, whatever ends it.
 */
const SCRIPT = `
m() { "$@" || { echo "tinyx: $* failed" >&2; exit ${SETUP_FAILED}; }; }
dir=$1 image=$2 mkwd=$3 log=$4; shift 4
ns=$dir/ns; root=$ns/root
m "$MOUNT" -t tmpfs -o mode=0700 tinyx-trace "$ns"
m mkdir "$ns/lower" "$ns/upper" "$ns/work" "$root"
m "$MOUNT" --bind -o ro "$image" "$ns/lower"
m "$MOUNT" -t overlay -o "lowerdir=$ns/lower,upperdir=$ns/upper,workdir=$ns/work" tinyx-image "$root"
while IFS= read -r line; do chown -h "\${line%% *}" "$root/\${line#* }" 2>/dev/null; done < "$dir/${OWNERS_FILE}"
for d in proc dev sys tmp; do
  if [ -L "$root/$d" ] || { [ -e "$root/$d" ] && [ ! -d "$root/$d" ]; }; then m rm -f "$root/$d"; fi
  m mkdir -p "$root/$d"
done
m "$MOUNT" -t proc -o nosuid,nodev,noexec proc "$root/proc"
m "$MOUNT" -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
m "$MOUNT" -t tmpfs -o mode=0755,nosuid tinyx-dev "$root/dev"
dev() { m "$MKNOD" -m 666 "$root/dev/$1" c "$2" "$3"; }
dev null 1 3; dev zero 1 5; dev full 1 7; dev random 1 8; dev urandom 1 9; dev tty 5 0
for fd in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do m ln -s "\${fd#*:}" "$root/dev/\${fd%%:*}"; done
m "$MOUNT" -t tmpfs -o mode=1777,nosuid,nodev tinyx-tmp "$root/tmp"
[ -z "$mkwd" ] || m mkdir -p "$root$mkwd"
exec "$STRACE" -f -qq -e trace=all -e signal=none -o "$log" -- "$@"
`;

/**
 * Pure: argv of the whole run. setpriv makes the kernel kill unshare when its parent (this
 * process) dies, unshare kills the namespace's first process when it dies, and the PID namespace
 * takes every process in it along with that one. The traced command is env -i (the image's
 * environment only) then unshare --root, which chroots into the overlay, enters the working
 * directory and drops to the image's user before running the program.
 */
export function chrootCommand(tools: ChrootTools, run: ChrootRun, where: { dir: string; image: string; log: string; mkwd?: string }): string[] {
  const traced = [tools.env, '-i', ...run.env, tools.unshare, `--root=${where.dir}/ns/root`, `--wd=${run.workingDir}`, '--setgid', String(run.user.gid), '--setuid', String(run.user.uid), '--', ...run.argv];
  const script = `MOUNT=${quote(tools.mount)} MKNOD=${quote(tools.mknod)} STRACE=${quote(tools.strace)}\n${SCRIPT}`;
  return [tools.setpriv, '--pdeathsig', 'KILL', tools.unshare, '--mount', '--pid', '--kill-child', '--propagation', 'private', '--', tools.sh, '-c', script, 'tinyx-trace',
    where.dir, where.image, where.mkwd ?? '', where.log, ...traced];
}

/**
 * Pure: the directory to create so the image's working directory exists (Docker creates a missing
 * one), as a path with no symlink on it: the deepest existing part resolved in the image, the
 * rest as written. Undefined when the directory exists, or when a part is no directory.
 */
export function workDirToCreate(tree: Tree, workingDir: string): string | undefined {
  const parts = workingDir.split('/').filter(Boolean);
  for (let n = parts.length; n >= 0; n--) {
    const walk = walkImage(tree, `/${parts.slice(0, n).join('/')}`);
    if (!walk) continue;
    if (n === parts.length) return undefined;
    const isDir = walk.realPath === '/' || tree.get(walk.realPath.slice(1))?.type === 'directory';
    return isDir ? path.posix.join(walk.realPath, ...parts.slice(n)) : undefined;
  }
  return undefined;
}
