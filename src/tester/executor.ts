// Executors evaluate candidates: build (or reuse) the kernel, boot it, run the tests.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { TinyxError } from '../errors.js';
import type { DotConfig } from '../kconfig/dotconfig.js';
import type { Profile } from '../profile/types.js';
import { bootAndTest } from './boot.js';
import { buildKernel, cachedKernel, storedVmlinux } from './build.js';
import { asWriteFailure } from './logfile.js';
import type { BuildProgress } from './make-progress.js';
import type { Verdict } from './verdict.js';
import type { Workspace } from './workspace.js';
import type { GuestNetwork } from '../packager/markers.js';

export interface Job {
  config: DotConfig;
  configHash: string;
  cmdline: string;
  /** Where this job's logs go (build.log, console.log, test.log). */
  logDir: string;
  /** Guest memory for this boot (QEMU -m, "48M") instead of the profile's, and its own boot timeout: the memory search's probes. */
  memory?: string;
  bootTimeoutMs?: number;
  /** Another initramfs for this boot instead of the run's (the compression stage's). */
  initramfs?: string;
  /** Keep this boot's volume copies in this directory (see BootRequest). */
  keepVolumes?: string;
  /** Boot the kernel's stored vmlinux (its PVH entry) instead of its bzImage; local executors only. */
  kernel?: 'vmlinux';
  /** Called when the job moves from building to booting. */
  onPhase?: (phase: 'build' | 'boot') => void;
  /** Told how far the build has got, every few seconds while make runs (local builds only). */
  onBuildProgress?: (progress: BuildProgress) => void;
}

/** What every job of a run shares. */
export interface JobSettings {
  srcDir: string;
  /** The linux-source package srcDir was unpacked from, if it was: a worker without its own tree unpacks the same one. */
  kernelPackage?: string;
  /** The root: an initramfs, or with `rootDisk` a read-only disk image. */
  initramfs: string;
  rootDisk?: boolean;
  /** The data volumes' seeded images, in the guest's device order. */
  volumes?: string[];
  tests: string;
  /** The guest's network; absent: none. */
  network?: GuestNetwork;
  qemu: Profile['qemu'];
  /** Told when the accelerator is disproved mid-run (see bootAndTest). */
  warn?: (message: string) => void;
  bootTimeoutMs: number;
  readyTimeoutMs: number;
  testTimeoutMs: number;
  /** Jobs run at once on this machine; each build gets cores / jobsHint make jobs. */
  jobsHint?: number;
  /** Extra environment for local builds (distcc). */
  buildEnv?: Record<string, string>;
  /** make -j for local builds, overriding the cores / jobsHint rule (distcc: the hosts' job limits). */
  buildJobs?: number;
}

export interface Executor {
  readonly name: string;
  /** How many jobs it runs at once. */
  readonly slots: number;
  run(job: Job, signal?: AbortSignal): Promise<Verdict>;
}

/** Runs jobs on this machine, one build dir per slot. */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly slots: number;
  private readonly free: number[];

  constructor(
    private readonly settings: JobSettings,
    private readonly workspace: Workspace,
    slotIndexes: number[],
  ) {
    this.free = [...slotIndexes];
    this.slots = slotIndexes.length;
  }

  async run(job: Job, signal?: AbortSignal): Promise<Verdict> {
    const slot = this.free.shift();
    if (slot === undefined) throw new Error('LocalExecutor: more concurrent jobs than slots');
    try {
      return await this.runIn(slot, job, signal);
    } catch (error) {
      throw asWriteFailure(error, `a file in ${this.workspace.slotDir(slot)} or ${job.logDir}`);
    } finally {
      this.free.push(slot);
    }
  }

  private async runIn(slot: number, job: Job, signal?: AbortSignal): Promise<Verdict> {
    const base = { configHash: job.configHash, cmdline: job.cmdline, bootMs: 0, testMs: 0 };
    if (!(await cachedKernel(this.workspace.artifactDir(job.configHash)))) job.onPhase?.('build');
    const build = await buildKernel({
      srcDir: this.settings.srcDir, slotDir: this.workspace.slotDir(slot), config: job.config,
      artifactDir: this.workspace.artifactDir(job.configHash), ccacheDir: this.workspace.ccacheDir,
      ccacheBase: this.workspace.ccacheBase, logFile: path.join(job.logDir, 'build.log'),
      jobs: this.settings.buildJobs ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, this.settings.jobsHint ?? 1))),
      env: this.settings.buildEnv, signal, onProgress: job.onBuildProgress, fullBuildFile: this.workspace.fullBuildFile,
    });
    const buildLog = build.built ? path.join(job.logDir, 'build.log') : undefined;
    if (build.infrastructure) {
      throw new TinyxError('TINYX_BUILD_FAILED', `The build of ${job.configHash.slice(0, 12)} failed for a reason outside its config: ${build.reason}`, {
        advice: `Log: ${path.join(job.logDir, 'build.log')}. Free memory or disk, or install what is missing, then run the same command again.`,
      });
    }
    if (!build.ok || !build.bzImage) {
      return { ...base, status: 'build-error', reason: build.reason, built: build.built, buildMs: build.durationMs, consoleTail: build.logTail, buildLog };
    }
    const bzImageBytes = (await stat(build.bzImage)).size;
    const kernel = job.kernel === 'vmlinux' ? await storedVmlinux(this.workspace.artifactDir(job.configHash)) : build.bzImage;
    if (!kernel) throw new Error(`no vmlinux is stored for ${job.configHash.slice(0, 12)} (its config has no CONFIG_PVH)`);
    job.onPhase?.('boot');
    const boot = await bootAndTest({
      bzImage: kernel, initramfs: job.initramfs ?? this.settings.initramfs, rootDisk: this.settings.rootDisk, volumes: this.settings.volumes, keepVolumes: job.keepVolumes,
      cmdline: job.cmdline, qemu: withMemory(this.settings.qemu, job.memory),
      network: this.settings.network, tests: this.settings.tests, logDir: job.logDir, bootTimeoutMs: job.bootTimeoutMs ?? this.settings.bootTimeoutMs,
      readyTimeoutMs: this.settings.readyTimeoutMs, testTimeoutMs: this.settings.testTimeoutMs, warn: this.settings.warn, signal,
    });
    return { ...base, ...boot, built: build.built, buildMs: build.durationMs, bzImageBytes, buildLog };
  }
}

/** The profile's QEMU settings with a job's own guest memory, if it has one. */
export function withMemory(qemu: Profile['qemu'], memory: string | undefined): Profile['qemu'] {
  return memory ? { ...qemu, memory } : qemu;
}
