// The run plan: a request, the profile and this host's facts, resolved once into what each stage takes.
import path from 'node:path';
import type { GuestNetwork } from '../packager/markers.js';
import type { CompressionChoice } from '../packager/compress.js';
import type { InitChoice } from '../packager/init-kind.js';
import type { AccelChoice, Profile } from '../profile/types.js';
import { TinyxError } from '../errors.js';
import { accelChoice } from '../vm/accel.js';
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

/** What goes in the VM with the app, and how the init starts it. */
export type PackPlan = Readonly<Omit<AppOptions, 'keepFiles' | 'prune' | 'strip' | 'init'> & {
  keepFiles: readonly string[];
  prune: boolean;
  strip: boolean;
  init: InitChoice;
  network?: GuestNetwork;
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

/**
 * Pure: every default and derived fact of a run, decided here and nowhere else. A bad setting is
 * refused (TINYX_USAGE) before anything runs. Port 0 means no network: the plan has no `network`.
 */
export function makePlan(request: RunRequest, host: HostFacts): RunPlan {
  checkRequest(request);
  const { profile } = request;
  const network = request.port > 0 ? Object.freeze({ guestPort: request.port }) : undefined;
  const { app, entry, appArgs, include, exclude, includePackages, trace, user, env, cwd, keepSetuid } = request;
  return deepFreeze({
    pack: {
      app, entry, appArgs, include, exclude, includePackages, trace, user, env, cwd, keepSetuid,
      keepFiles: request.keepFiles ?? [], prune: request.prune !== false, strip: request.strip !== false, init: request.init ?? 'auto',
      ...(network ? { network } : {}),
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
      candidates: request.candidates, from: request.from, noPrior: request.noPrior, keepCmdline: request.keepCmdline, keepMemory: request.keepMemory,
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

/** Refuses a run's numeric and path settings out of range, before anything runs (the CLI passes flags through unchanged). */
export function checkRequest(options: Pick<HarnessOptions, 'port' | 'testTimeoutMs' | 'bootTimeoutMs' | 'readyTimeoutMs'>
  & Pick<SearchOptions, 'finalRuns' | 'confirmFailures'> & Pick<ExecutionOptions, 'jobs' | 'workers'> & Pick<AppOptions, 'keepFiles'>): void {
  const usage = (message: string) => new TinyxError('TINYX_USAGE', message, { advice: 'See tinyx minimize --help.' });
  for (const glob of options.keepFiles ?? []) {
    if (!glob.startsWith('/')) throw usage(`--keep-files takes a path in the VM, which is absolute, received "${glob}".`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
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

/** Freezes the plan's own records; the profile it points to is the loaded profile's, left as it is. */
function deepFreeze(plan: RunPlan): RunPlan {
  for (const slice of Object.values(plan)) Object.freeze(slice);
  return Object.freeze(plan);
}
