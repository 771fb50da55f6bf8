// Pure: what a failing boot's console shows went wrong (unpacking, memory, a missing file, a missing syscall, a shell), with the line that shows it.
import { MARKER_APP_EXITED, MARKER_INIT_FAILED } from '../packager/markers.js';
import type { InitKind } from '../packager/init-kind.js';

export type StartFailureKind = 'unpack' | 'root-disk' | 'memory' | 'shell' | 'enosys' | 'read-only' | 'missing-file' | 'no-init' | 'unknown';

export interface StartFailure {
  kind: StartFailureKind;
  /** The console line that shows it (printk's timestamp taken off). */
  evidence?: string;
  /** missing-file and shell: the absolute path the line names, if it names one. */
  path?: string;
  /** enosys: the call the line names, if it names one. */
  call?: string;
}

/** printk's `[    0.616002] ` before a kernel line. */
const TIMESTAMP = /^\[\s*\d+\.\d+\]\s*/;

/**
 * init/initramfs.c prints the first error of unpack_to_rootfs() as `Initramfs unpacking failed: ...`
 * (KERN_EMERG, shown under loglevel=3): the decompressor's own (lib/decompress_unxz.c: `XZ
 * decompressor ran out of memory`, `XZ-compressed data is corrupt`), `junk within compressed
 * archive`, `write error` (the unpacked root does not fit), ...; its allocations panic (`can't allocate ...`).
 */
const UNPACK = [/Initramfs unpacking failed: .*/, /XZ decompressor ran out of memory/, /junk (within|at the end of) compressed archive/, /decompressor failed/, /not syncing: can't allocate/];

/**
 * mm/oom_kill.c: `System is deadlocked on memory` (a panic), `Out of memory` and `Killed process`
 * (pr_err, hidden under loglevel=3); mm/page_alloc.c: `page allocation failure`. Under loglevel=3
 * the app's exit status often says it alone: 137, killed by SIGKILL, which in the guest is the OOM killer's.
 */
const MEMORY = [/deadlocked on memory/, /Out of memory/, /oom-kill/, /Killed process \d+/, /page allocation failure/, new RegExp(`^${MARKER_APP_EXITED} 137$`)];

/** init/do_mounts.c when the root disk is not there or its file system is unknown (a disk root: the block driver, squashfs or its decompressor missing); fs/squashfs's own errors. */
const ROOT_DISK = [/VFS: Cannot open root device/, /VFS: Unable to mount root fs/, /SQUASHFS error: .*/, /Filesystem uses "\w+" compression\. This is not supported/];
/** The app wrote where a disk root is read-only. */
const EROFS = /Read-only file system|\bEROFS\b/i;
const ENOENT = /No such file or directory|\bENOENT\b|: not found$/i;
const ENOSYS = /Function not implemented|\bENOSYS\b/i;
/** A shell or BusyBox by path, or the libc calls that run one (system(), popen(), posix_spawn() of sh). */
const SHELL_PATH = /^\/(usr\/)?bin\/(sh|ash|dash|bash|busybox)$/;
const SHELL_CALL = /\b(popen|system|posix_spawn)\b/;
const NO_INIT = /No working init found|not syncing: Requested init .* failed/;

/** Absolute paths a line names: quoted ones first (`"/etc/x.conf"`, `'/bin/sh'`), then bare ones, trailing punctuation off. */
export function pathsIn(line: string): string[] {
  const quoted = [...line.matchAll(/["'`](\/[^"'`]+)["'`]/g)].map((m) => m[1]!);
  const bare = [...line.matchAll(/(?:^|[\s(=])(\/[^\s"'`(),;]+)/g)].map((m) => m[1]!.replace(/[:.,]+$/, ''));
  return [...new Set([...quoted, ...bare])];
}

/** The call an ENOSYS line names: `shmget: Function not implemented`, `ENOSYS: function not implemented, io_setup`. */
function callIn(line: string): string | undefined {
  return (/(\w+)(?:\(\))?: (?:\[Errno 38\] )?Function not implemented/i.exec(line) ?? /ENOSYS: function not implemented, (\w+)/i.exec(line))?.[1];
}

/**
 * The first kind whose evidence the console shows, in this order: the root not unpacked explains
 * everything after it, memory explains a killed app, then the app's own words (a shell under
 * tinyx's init, a missing syscall, a missing file), then the kernel finding no init (with
 * `rootDisk`, the root disk not mounted).
 */
export function classifyStartFailure(console: string, initKind: InitKind, rootDisk = false): StartFailure {
  const lines = console.split(/\r?\n/).map((l) => l.replace(TIMESTAMP, '').trim()).filter(Boolean);
  const first = (patterns: RegExp[]) => lines.find((l) => patterns.some((p) => p.test(l)));
  const unpack = first(UNPACK);
  if (unpack) return { kind: 'unpack', evidence: unpack };
  const unmounted = first(ROOT_DISK);
  if (unmounted) return { kind: 'root-disk', evidence: unmounted };
  const memory = first(MEMORY);
  if (memory) return { kind: 'memory', evidence: memory };
  const missing = lines.filter((l) => ENOENT.test(l) && !new RegExp(`^${MARKER_INIT_FAILED} the app could not be executed`).test(l));
  if (initKind === 'tinyx') {
    const shell = missing.find((l) => pathsIn(l).some((p) => SHELL_PATH.test(p)) || SHELL_CALL.test(l));
    if (shell) return { kind: 'shell', evidence: shell, path: pathsIn(shell).find((p) => SHELL_PATH.test(p)) };
  }
  const enosys = first([ENOSYS]);
  if (enosys) return { kind: 'enosys', evidence: enosys, call: callIn(enosys) };
  const readOnly = first([EROFS]);
  if (readOnly) return { kind: 'read-only', evidence: readOnly, path: pathsIn(readOnly)[0] };
  if (missing[0]) return { kind: 'missing-file', evidence: missing[0], path: pathsIn(missing[0])[0] };
  const noInit = first([NO_INIT]);
  // From a disk root, no init means no root: a kernel without the block layer mounts none and says only this.
  if (noInit) return { kind: rootDisk ? 'root-disk' : 'no-init', evidence: noInit };
  return { kind: 'unknown' };
}
