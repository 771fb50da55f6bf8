// The run plan: a request, the profile and this host's facts, resolved once into what each stage takes.
import path from 'node:path';
import type { GuestNetwork } from '../packager/markers.js';
import type { CompressionChoice } from '../packager/compress.js';
import type { InitChoice } from '../packager/init-kind.js';
import { parseVolumes, type RootChoice, type VolumePlan } from '../packager/root-kind.js';
import type { DefaultRun } from '../image/index.js';
import type { AccelChoice, Profile } from '../profile/types.js';
import { TinyxError } from '../errors.js';
import { accelChoice } from '../vm/accel.js';
import { DISK_ROOT_ARGS } from '../vm/spec.js';
import type { AppOptions, ExecutionOptions, HarnessOptions, KernelOptions, SearchOptions } from './request.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';

/** What a run is asked, before any default: the option groups of `minimize()` but the run's own (out dir, signal, listener). */
export type RunRequest = AppOptions & HarnessOptions & KernelOptions & SearchOptions & ExecutionOptions;

/** The facts of this host a plan reads: its environment (TINYX_ACCEL), its cores, its cache directory, the working directory relative paths start from. */
export interface HostFacts {
  env: NodeJS.ProcessEnv;
  cores: number;
  cacheRoot: string;
  cwd: string;
}

/** Where the app comes from: a program (or directory) on this host, or a container image and the run its config gives. */
export type AppSource =
  | { kind: 'app'; app: string; entry?: string }
  | { kind: 'image'; image: string; whole: boolean; run?: DefaultRun };

/** What the inputs stage read of an image: its default run, with the flags that override its fields applied. */
export interface ImageFacts {
  run: DefaultRun;
}

/** What goes in the VM with the app, and how the init starts it (for an image: its program's arguments, environment, directory and user). */
export type PackPlan = Readonly<Omit<AppOptions, 'app' | 'entry' | 'image' | 'imageWhole' | 'keepFiles' | 'prune' | 'strip' | 'init' | 'root' | 'volumes'> & {
  source: AppSource;
  /** Where the root lives (auto: decided on the packed archive's size). */
  root: RootChoice;
  /** The data volumes, their host directories resolved. */
  volumes: readonly VolumePlan[];
  keepFiles: readonly string[];
  prune: boolean;
  strip: boolean;
  init: InitChoice;
  network?: GuestNetwork;
  /** How long a --trace run of the app may last, in seconds: the tests' time limit, at least 10 s. */
  traceSeconds: number;
}>;

/** Which kernel tree, where its builds are cached, the compression asked for (auto: the smallest initramfs). */
export type KernelPlan = Readonly<{ profile: Profile; kernelSrc?: string; cache: string; compression: CompressionChoice }>;

/** How each candidate boots: the VM (the profile's, with the accelerator decided), its boot line, its network, its limits. */
export type BootPlan = Readonly<{
  qemu: Profile['qemu'] & { accel: AccelChoice };
  cmdline: string;
  network?: GuestNetwork;
  bootTimeoutMs: number;
  readyTimeoutMs: number;
}>;

/** How a booted candidate is judged. */
export type TestPlan = Readonly<{ tests: string; testTimeoutMs: number }>;

/** What the searches try and how sure a verdict must be, every default resolved. */
export type SearchPlan = Readonly<Omit<SearchOptions, 'strategy' | 'cmdlineStrategy' | 'confirmFailures' | 'finalRuns'> & {
  strategy: string;
  cmdlineStrategy: string;
  confirmFailures: number;
  finalRuns: number;
  /** The guest's network: it decides whether the profile's network harness is a candidate. */
  network?: GuestNetwork;
}>;

/** Where candidates are built and booted. */
export type ExecutionPlan = Readonly<ExecutionOptions & { jobs: number }>;

export interface RunPlan {
  readonly pack: PackPlan;
  readonly kernel: KernelPlan;
  readonly boot: BootPlan;
  readonly test: TestPlan;
  readonly search: SearchPlan;
  readonly execution: ExecutionPlan;
}

/** The port when none is asked for, and the image has not exactly one exposed TCP port. */
export const DEFAULT_PORT = 80;

/**
 * Pure: every default and derived fact of a run, decided here and nowhere else. A bad setting is
 * refused (TINYX_USAGE) before anything runs. Port 0 means no network: the plan has no `network`.
 * For an image, `image` (once read) gives the program, its arguments, environment, directory, user
 * and the default port, the flags having overridden its fields.
 */
export function makePlan(request: RunRequest, host: HostFacts, image?: ImageFacts): RunPlan {
  checkSource(request);
  checkRequest(request);
  const { profile } = request;
  const port = request.port ?? image?.run.port ?? DEFAULT_PORT;
  const network = port > 0 ? Object.freeze({ guestPort: port }) : undefined;
  const { include, exclude, includePackages, trace, keepSetuid } = request;
  const run = image?.run;
  const source: AppSource = request.image !== undefined
    ? { kind: 'image', image: request.image === '-' ? '-' : path.resolve(host.cwd, request.image), whole: request.imageWhole === true, ...(run ? { run } : {}) }
    : { kind: 'app', app: request.app!, entry: request.entry };
  const how = run
    ? { appArgs: run.argv.slice(1), env: Object.fromEntries(run.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])), cwd: run.workingDir, user: run.user.uid === 0 ? undefined : run.user.name ?? `uid${run.user.uid}` }
    : { appArgs: request.appArgs, env: request.env, cwd: request.cwd, user: request.user };
  return deepFreeze({
    pack: {
      source, ...how, include, exclude, includePackages, trace, keepSetuid,
      keepFiles: request.keepFiles ?? [], prune: request.prune !== false, strip: request.strip !== false, init: request.init ?? 'auto',
      root: request.root ?? 'auto', volumes: parseVolumes(request.volumes ?? [], host.cwd),
      ...(network ? { network } : {}),
      traceSeconds: Math.max(10, Math.round((request.testTimeoutMs ?? DEFAULT_TIMEOUTS.testTimeoutMs) / 1000)),
    },
    kernel: { profile, kernelSrc: request.kernelSrc, cache: request.cache ?? host.cacheRoot, compression: request.compression ?? profile.packaging.compression },
    boot: {
      qemu: { ...profile.qemu, accel: accelChoice(request.accel, profile.qemu.accel, host.env) },
      cmdline: profile.boot.cmdline,
      ...(network ? { network } : {}),
      bootTimeoutMs: request.bootTimeoutMs ?? DEFAULT_TIMEOUTS.bootTimeoutMs,
      readyTimeoutMs: request.readyTimeoutMs ?? DEFAULT_TIMEOUTS.readyTimeoutMs,
    },
    test: { tests: path.resolve(host.cwd, request.tests), testTimeoutMs: request.testTimeoutMs ?? DEFAULT_TIMEOUTS.testTimeoutMs },
    search: {
      candidates: request.candidates, from: request.from, noPrior: request.noPrior, keepReachable: request.keepReachable ?? false, keepCmdline: request.keepCmdline, bootSpeedups: request.bootSpeedups, keepMemory: request.keepMemory, values: request.values,
      compareCompression: request.compareCompression, kernelTrace: request.kernelTrace, assumeMonotone: request.assumeMonotone,
      strategy: request.strategy ?? profile.search.strategy,
      cmdlineStrategy: request.cmdlineStrategy ?? profile.search.cmdlineStrategy,
      confirmFailures: request.confirmFailures ?? 1,
      finalRuns: Math.max(1, request.finalRuns ?? 3),
      ...(network ? { network } : {}),
    },
    execution: {
      workers: request.workers, onUnreachableWorker: request.onUnreachableWorker, distcc: request.distcc,
      jobs: request.jobs ?? defaultJobs(host.cores),
    },
  });
}

/** The plan for a disk root: its boot line names the root (DISK_ROOT_ARGS), which the boot-option search keeps. */
export function withDiskRoot(plan: RunPlan): RunPlan {
  const cmdline = [...plan.boot.cmdline.split(/\s+/).filter(Boolean), ...DISK_ROOT_ARGS].join(' ');
  const { profile } = plan.kernel;
  const boot = { ...profile.boot, keep: [...new Set([...profile.boot.keep, ...DISK_ROOT_ARGS])] };
  return deepFreeze({ ...plan, kernel: { ...plan.kernel, profile: { ...profile, boot } }, boot: { ...plan.boot, cmdline } });
}

/** A bad setting of the request, refused before anything runs. */
function usage(message: string): TinyxError {
  return new TinyxError('TINYX_USAGE', message, { advice: 'See tinyx minimize --help.' });
}

/** Refuses a request with both or neither of an app and an image, or an app's flag given with an image. */
function checkSource(options: Pick<AppOptions, 'app' | 'image' | 'entry' | 'imageWhole' | 'root' | 'volumes'> & Pick<ExecutionOptions, 'workers'>): void {
  if (options.workers?.length && (options.root === 'disk' || options.volumes?.length)) {
    throw usage(`${options.root === 'disk' ? '--root disk' : '--volume'} boots only on this machine: the workers' guests get an initramfs and no disks.`);
  }
  if ((options.app === undefined) === (options.image === undefined)) throw usage('minimize needs --app or --image (one of them).');
  if (options.image !== undefined && options.entry !== undefined) throw usage('--entry is for a directory --app; an image\'s program is its Entrypoint and Cmd (arguments after -- replace Cmd).');
  if (options.imageWhole && options.image === undefined) throw usage('--image-whole needs --image.');
}

/** Refuses a run's numeric and path settings out of range, before anything runs (the CLI passes flags through unchanged). */
export function checkRequest(options: Pick<HarnessOptions, 'port' | 'testTimeoutMs' | 'bootTimeoutMs' | 'readyTimeoutMs'>
  & Pick<SearchOptions, 'finalRuns' | 'confirmFailures'> & Pick<ExecutionOptions, 'jobs' | 'workers'> & Pick<AppOptions, 'keepFiles'>): void {
  for (const glob of options.keepFiles ?? []) {
    if (!glob.startsWith('/')) throw usage(`--keep-files takes a path in the VM, which is absolute, received "${glob}".`);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw usage(`--port must be a TCP port from 1 to 65535 (or 0: no network, the tests read TINYX_CONSOLE), received ${options.port}.`);
  }
  const counts: [string, number | undefined, number][] = [
    ['--jobs', options.jobs, 1], ['--final-runs', options.finalRuns, 1], ['--confirm-failures', options.confirmFailures, 0],
    ...(options.workers ?? []).map((w): [string, number, number] => [`--worker-slots (for ${w.url})`, w.slots, 1]),
  ];
  for (const [flag, value, min] of counts) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) throw usage(`${flag} must be a whole number of at least ${min}, received ${value}.`);
  }
  const timeouts: [string, number | undefined][] = [
    ['--test-timeout', options.testTimeoutMs], ['--boot-timeout', options.bootTimeoutMs], ['ready timeout', options.readyTimeoutMs],
  ];
  for (const [flag, ms] of timeouts) {
    if (ms !== undefined && !(ms >= 1000 && Number.isFinite(ms))) throw usage(`${flag} must be at least 1 second, received ${ms / 1000} s.`);
  }
}

/** A kernel build already uses every core through make -j; a second slot pays off from 4 cores. */
function defaultJobs(cores: number): number {
  return Math.max(1, Math.floor(cores / 4));
}

/**
 * The plan with these options kept too (`--keep-reachable`: what the app's calls need, known once
 * its files are): the profile's kernel.keep grows, so they are no candidates in any round.
 */
export function keepingOptions(plan: RunPlan, names: readonly string[]): RunPlan {
  const { profile } = plan.kernel;
  const keep = [...new Set([...profile.kernel.keep, ...names])];
  if (keep.length === profile.kernel.keep.length) return plan;
  return deepFreeze({ ...plan, kernel: { ...plan.kernel, profile: { ...profile, kernel: { ...profile.kernel, keep } } } });
}

/** Freezes the plan's own records; the profile it points to is the loaded profile's, left as it is. */
function deepFreeze(plan: RunPlan): RunPlan {
  for (const slice of Object.values(plan)) Object.freeze(slice);
  return Object.freeze(plan);
}
