// What a run is asked to do, in the groups its stages take (the run group, out dir and listener, is src/run/options.ts); src/plan/plan.ts resolves it.
import type { Compression, CompressionChoice } from '../packager/compress.js';
import type { Profile } from '../profile/types.js';
import type { WorkerSpec } from '../remote/workers-file.js';
import type { AccelChoice } from '../profile/types.js';
import type { InitChoice } from '../packager/init-kind.js';
import type { RootChoice } from '../packager/root-kind.js';

/** The app and what goes in the VM with it: read by resolveApp, the initramfs's init and the host strace run. */
export interface AppOptions {
  /** The program to run in the guest, or a directory holding it (with `entry`); absent with `image`. */
  app?: string;
  /** A container image instead (its archive, layout directory, or `-` for stdin): its config is the run's default. */
  image?: string;
  /** With `image`: start from every file of the image, not the analysed closure. */
  imageWhole?: boolean;
  /** For a directory app: the program to run, relative to it (default: the one dirapp picks). */
  entry?: string;
  appArgs: string[];
  /** Extra files for the guest ("HOST" or "HOST:GUEST") and paths to leave out. */
  include?: string[];
  exclude?: string[];
  /** Debian packages whose files go in whole (e.g. ca-certificates). */
  includePackages?: string[];
  /** Run the app on the host under strace while the tests run against it, and add what it used. */
  trace?: boolean;
  /** Never trace: not even once more when the start VM misses a file the host (or the image) has (default: it does). */
  noTrace?: boolean;
  /** The app's user in the guest (a host account), environment and working directory. */
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Guest paths or globs the rootfs stage never leaves out. */
  keepFiles?: string[];
  /** Leave out the files the tests pass without (default true). */
  prune?: boolean;
  /** Strip ELF files the tests pass without symbols (default true). */
  strip?: boolean;
  /** Keep the setuid and setgid bits of the guest's files (default: cleared). */
  keepSetuid?: boolean;
  /** The guest's init: tinyx's own (no shell), BusyBox's, or `auto` (default): tinyx's for an ELF app, BusyBox's for a script. */
  init?: InitChoice;
  /** Where the root lives: in RAM (initramfs), on a read-only disk image, or `auto` (default): a disk for a large root. */
  root?: RootChoice;
  /** Data volumes, `HOST_DIR:GUEST_DIR`: ext4 disks seeded from host directories. */
  volumes?: string[];
}

/** How a candidate is judged: the tests, the port they reach, how long each step may take, the accelerator. */
export interface HarnessOptions {
  tests: string;
  /** The app's TCP port in the guest; 0: no network. Absent: 80, or an image's one exposed TCP port. */
  port?: number;
  /** QEMU's accelerator (default: TINYX_ACCEL, else the profile's qemu.accel, else auto). */
  accel?: AccelChoice;
  testTimeoutMs?: number;
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
}

/** Which kernel: the profile (start config, boot line, QEMU machine), the tree, the cache, and how kernel and initramfs are compressed. */
export interface KernelOptions {
  profile: Profile;
  kernelSrc?: string;
  cache?: string;
  /** The initramfs's compression and the kernel's own (default: the profile's packaging.compression); auto: the smallest initramfs. */
  compression?: CompressionChoice;
}

/** What the searches try, in what order, and how sure a verdict must be. */
export interface SearchOptions {
  /** Only these options are candidates (e.g. a bounded search). */
  candidates?: string[];
  strategy?: string;
  cmdlineStrategy?: string;
  /** A previous result (its out dir, or a .config): the first guess is what it kept. */
  from?: string;
  /** No learned first guess (the profile's search.prior and the knowledge file are not read). */
  noPrior?: boolean;
  /** Keep every option a syscall the app's binaries can reach needs: they are no candidates. */
  keepReachable?: boolean;
  /** Skip the boot-option search. */
  keepCmdline?: boolean;
  /** After the boot-option search, add the profile's boot.speedups one at a time, each kept when the boots pass faster beyond the noise. */
  bootSpeedups?: boolean;
  /** After the removals, lower the int and hex options the Kconfig model lets the user set (all, or these), while they pass lighter. */
  values?: 'all' | string[];
  /** Skip the memory search: run.sh keeps the profile's guest memory. */
  keepMemory?: boolean;
  /**
   * After the search, the final VM with each of these compressions instead (kernel and initramfs),
   * built and booted for the report (default: every other one this host has; [] compares none).
   */
  compareCompression?: Compression[];
  /** Boot the start kernel once with QEMU logging the kernel code it runs; try never-run options first. */
  kernelTrace?: boolean;
  /**
   * Trust that removing more never turns a failing kernel into a passing one: skip the closing
   * re-check of each kept option on the final config (as the classic loop does). Fewer builds;
   * the result is 1-minimal only if the trust holds, which `tinyx verify` checks.
   */
  assumeMonotone?: boolean;
  /** Runs that must fail again before a failing candidate counts as failing (default 1). */
  confirmFailures?: number;
  /** Boots of the final result, each of which must pass, before it is written (default 3). */
  finalRuns?: number;
}

/** Where candidates are built and booted: local slots, remote workers, distcc. */
export interface ExecutionOptions {
  /** Candidates evaluated at once on this host (each in its own build dir). */
  jobs?: number;
  /** Remote worker hosts (see docs/workers.md). */
  workers?: WorkerSpec[];
  onUnreachableWorker?: 'fail' | 'warn';
  /** DISTCC_HOSTS for every build. */
  distcc?: string;
}
