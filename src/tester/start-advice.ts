// Pure: what to do about a start VM that failed, by what its console showed (start-failure.ts) and what the run knows.
import type { Compression } from '../packager/compress.js';
import type { InitKind } from '../packager/init-kind.js';
import { MARKER_INIT_FAILED } from '../packager/markers.js';
import type { StartFailure } from './start-failure.js';

/** What the run knows about the guest that failed. */
export interface StartFacts {
  initKind: InitKind;
  /** The guest's memory as QEMU's -m spells it (the profile's qemu.memory, or more for a large root). */
  memory: string;
  initramfs: { compression: Compression; bytes: number; uncompressedBytes: number; disk?: true };
  /** Whether this host has a file at the guest's path (the caller looks; this module touches nothing). */
  hostHas: (guestPath: string) => boolean;
}

/** How each kind is said after "The console shows". */
export const KIND_PHRASES: Record<StartFailure['kind'], string> = {
  'unpack': 'the kernel could not unpack the initramfs',
  'root-disk': 'the kernel could not mount the root disk',
  'memory': 'the guest ran out of memory',
  'shell': 'the app ran a shell, which tinyx\'s init does not have',
  'enosys': 'a system call the start kernel lacks',
  'read-only': 'the app wrote to the read-only root disk',
  'missing-file': 'a file the app needs is not in the VM',
  'no-init': 'the kernel found no init to run',
  'unknown': 'nothing that says why',
};

const SHELL_ADVICE = 'The guest\'s init is tinyx\'s own: the guest has no shell and no BusyBox, so an app that runs shell commands or BusyBox applets fails there; try --init busybox.';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function startAdvice(failure: StartFailure, facts: StartFacts): string {
  const { memory, initramfs } = facts;
  const archive = `the ${initramfs.compression} initramfs (${mb(initramfs.bytes)}, ${mb(initramfs.uncompressedBytes)} unpacked)`;
  const guest = `the guest's ${memory} (the profile's qemu.memory)`;
  switch (failure.kind) {
    case 'unpack':
      if (/ran out of memory/.test(failure.evidence ?? '')) {
        return `The kernel's decoder could not allocate what ${archive} asks for in ${guest}. Pack it with another compressor (--compression zstd or gzip), or give the guest more memory (qemu.memory in a profile of your own).`;
      }
      if (/write error|can't allocate/.test(failure.evidence ?? '')) {
        return `The unpacked root does not fit ${guest}: ${archive} is unpacked into guest memory. Give the guest more memory (qemu.memory in a profile of your own), or leave large files out.`;
      }
      return `The kernel could not read ${archive}: the archive is corrupt or truncated, or ${guest} is too small to load it. Pack it again, try --compression gzip, or give the guest more memory (qemu.memory).`;
    case 'root-disk':
      return 'The start kernel could not mount the squashfs root on /dev/vda: the profile\'s kernel.harness.disk must name the virtio block driver on the machine\'s bus, SQUASHFS and SQUASHFS_<compression>. Check them with `tinyx kconfig explain`, or run with --root initramfs.';
    case 'read-only':
      return `The root is a read-only disk (--root disk, or auto for a large root), and the app wrote ${failure.path ? `to ${failure.path}` : 'to it'}: give the directory it writes a volume (--volume HOST_DIR:${failure.path ? dirOf(failure.path) : 'GUEST_DIR'}), point the app at /tmp or /run (tmpfs), or run with --root initramfs.`;
    case 'memory':
      return `The guest has ${memory} (the profile's qemu.memory), and ${archive} lives in it as files (the root is RAM) beside what the app allocates. Give the guest more memory (qemu.memory in a profile of your own), or leave large files out.`;
    case 'shell':
      return SHELL_ADVICE;
    case 'enosys':
      return `The app called ${failure.call ? `${failure.call}, ` : ''}a system call the start kernel does not have: the profile's start config lacks an option the app needs. Add it to the profile's kernel.enable.`;
    case 'missing-file':
      return missingFileAdvice(failure, facts);
    case 'no-init':
      return `The kernel found no /init it could run in ${archive}: check the archive (tinyx deps --app ...), the --init choice, and that the kernel runs the init's format (BINFMT_ELF, BINFMT_SCRIPT).`;
    case 'unknown':
      return `${facts.initKind === 'tinyx' ? `${SHELL_ADVICE} ` : ''}Check the app and the tests by hand.`;
  }
}

function missingFileAdvice(failure: StartFailure, facts: StartFacts): string {
  const path = failure.path;
  if (failure.evidence?.startsWith(`${MARKER_INIT_FAILED} cannot execute`)) {
    return `The init could not execute ${path ?? 'the app'}: it is in the VM, so what runs it is not (the interpreter of its #! line, or its ELF loader). Put it in with --include, or run with --trace.`;
  }
  if (!path) return 'The app did not find a file it needs in the VM (the line above names it). Put it in with --include HOST[:GUEST], or run with --trace (the app runs on this host and the files it opens are added).';
  if (facts.hostHas(path)) {
    return `${path} is not in the VM, but this host has it: add it with --include ${path}, or run with --trace (the app runs on this host and the files it opens are added).`;
  }
  return `${path} is not in the VM, nor on this host: give the app the file with --include HOST_FILE:${path}, or arguments that point at one it has.`;
}

/** The directory a path names, for a --volume suggestion: the path itself when it ends in a slash, else its parent. */
function dirOf(file: string): string {
  return file.endsWith('/') ? file.slice(0, -1) || '/' : file.slice(0, file.lastIndexOf('/')) || '/';
}
