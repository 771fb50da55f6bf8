// A run's context, open before it evaluates anything: tree, workspace, slots, journal, evaluator.
import path from 'node:path';
import { KernelConfigTool } from '../kconfig/kernel.js';
import type { KernelSource } from '../kconfig/source.js';
import { resolveKernelSource } from '../profile/kernel-source.js';
import { distccEnv, distccJobs } from '../remote/distcc.js';
import { ExecutorPool, type PoolEvent } from '../remote/pool.js';
import { startRemoteExecutors } from '../remote/start.js';
import { resolveAccel, type AccelDecision } from '../vm/accel.js';
import { findQemu } from '../vm/qemu.js';
import { ROOT_HEADROOM_MIB, runMemory } from './memory.js';
import { LocalExecutor, type Executor, type JobSettings } from '../tester/executor.js';
import { Workspace } from '../tester/workspace.js';
import { sha256File } from '../util/hash.js';
import { Evaluator } from './evaluator.js';
import type { EventListener } from './events.js';
import type { KernelPlan, RunPlan } from '../plan/plan.js';
import { Journal } from './journal.js';
import { runKey } from './journal-key.js';

/**
 * What a run context takes: the plan's kernel, boot, test and execution slices and the search's
 * confirmation count; the run's out dir and signal, the initramfs and a listener.
 */
export interface SearchContextOptions {
  plan: Pick<RunPlan, 'kernel' | 'boot' | 'test' | 'execution'> & { search: Pick<RunPlan['search'], 'confirmFailures'> };
  out: string;
  signal?: AbortSignal;
  /** With its sizes, a root larger than the profile's guest memory holds raises the run's (runMemory); a disk root is not held in RAM. */
  initramfs: { file: string; sha256: string; bytes?: number; uncompressedBytes?: number; disk?: true };
  /** The data volumes' seeded images, in the guest's device order. */
  volumes?: Array<{ image: string; sha256: string }>;
  emit: EventListener;
}

export interface SearchContext {
  source: KernelSource;
  workspace: Workspace;
  tool: KernelConfigTool;
  journal: Journal;
  evaluator: Evaluator;
  slots: number;
  /** The guest memory of the run's boots, as QEMU's -m spells it: the profile's, or more for a large root (runMemory). */
  memory: string;
  /** The O= dirs of the claimed slots (the start config was built in one of them, unless cached). */
  slotDirs: string[];
  /** What the executor pool did (dispatches, re-queues, dropped workers); empty without workers. */
  poolEvents: PoolEvent[];
  /** This host's accelerator as it stands now (a guest that printed nothing under KVM demotes it to TCG). */
  accel(): Promise<AccelDecision>;
  close(): Promise<void>;
}

export interface KernelTree {
  source: KernelSource;
  workspace: Workspace;
  tool: KernelConfigTool;
}

export async function openKernel(kernel: Pick<KernelPlan, 'kernelSrc' | 'cache' | 'profile'>): Promise<KernelTree> {
  const source = await resolveKernelSource({ kernelSrc: kernel.kernelSrc, cache: kernel.cache, profile: kernel.profile });
  const workspace = new Workspace(source.key, kernel.cache);
  return { source, workspace, tool: new KernelConfigTool(source.dir, workspace.kconfigDir) };
}

export async function openSearchContext(options: SearchContextOptions, kernel?: KernelTree): Promise<SearchContext> {
  const { plan } = options;
  const { source, workspace, tool } = kernel ?? (await openKernel(plan.kernel));
  const { jobs } = plan.execution;
  const claimed = await workspace.claimSlots(jobs);
  const journal = await Journal.open(options.out);
  const { network, bootTimeoutMs, readyTimeoutMs } = plan.boot;
  // A root larger than the profile's guest memory holds gets more: the search would otherwise fail at the start.
  const { bytes, uncompressedBytes } = options.initramfs;
  const memory = bytes !== undefined && uncompressedBytes !== undefined && !options.initramfs.disk ? runMemory(plan.boot.qemu.memory, { bytes, uncompressedBytes }) : { memory: plan.boot.qemu.memory };
  if (memory.raised) {
    options.emit({ type: 'info', message: `guest memory: ${memory.memory}, not the profile's ${plan.boot.qemu.memory}: the root needs about ${memory.raised.needMiB} MiB (the archive as loaded, the files it unpacks into RAM, ${ROOT_HEADROOM_MIB} MiB besides)` });
  }
  const qemu = { ...plan.boot.qemu, memory: memory.memory };
  const timeouts = { bootTimeoutMs, readyTimeoutMs, testTimeoutMs: plan.test.testTimeoutMs };
  const volumes = options.volumes ?? [];
  const key = runKey({
    tree: source.key, tests: await sha256File(plan.test.tests), network, qemu: memory.raised ? { ...plan.kernel.profile.qemu, memory: memory.memory } : plan.kernel.profile.qemu, ...timeouts,
    ...(volumes.length ? { volumes: volumes.map((v) => v.sha256) } : {}),
  });
  const probe = { choice: qemu.accel, qemu: await findQemu(), machine: qemu.machine, cache: plan.kernel.cache };
  const accel = await resolveAccel(probe);
  options.emit({ type: 'info', message: `QEMU accelerator: ${accel.accel} (${accel.choice === 'auto' ? `auto: ${accel.reason}${accel.cached ? ', remembered for this host' : ''}` : 'asked for'})` });
  const { distcc, workers, onUnreachableWorker } = plan.execution;
  const settings: JobSettings = {
    srcDir: source.dir, ...(source.package ? { kernelPackage: source.package } : {}), initramfs: options.initramfs.file, tests: plan.test.tests,
    ...(options.initramfs.disk ? { rootDisk: true } : {}), ...(volumes.length ? { volumes: volumes.map((v) => v.image) } : {}),
    ...(network ? { network } : {}), qemu, warn: (message) => options.emit({ type: 'warning', message }), ...timeouts, jobsHint: jobs,
    ...(distcc ? { buildEnv: distccEnv(distcc), buildJobs: distccJobs(distcc) } : {}),
  };
  const local = new LocalExecutor(settings, workspace, claimed.slots);
  const remotes = workers?.length
    ? await startRemoteExecutors(workers, settings, {
      onUnreachable: onUnreachableWorker, distcc,
      warn: (message) => options.emit({ type: 'warning', message }),
    }).catch(async (error: unknown) => {
      await claimed.release();
      throw error;
    })
    : [];
  const pool = remotes.length > 0
    ? new ExecutorPool([local, ...remotes], {
      onEvent: (e) => {
        if (e.type === 'executor-dropped') options.emit({ type: 'warning', message: `executor ${e.executor} dropped: ${e.reason}` });
        if (e.type === 'requeue') options.emit({ type: 'info', message: `re-queued ${e.job.slice(0, 12)} after ${e.executor} failed` });
      },
    })
    : undefined;
  const executor: Executor = pool ?? local;
  const evaluator = new Evaluator({
    normalizer: tool, executor, journal, runKey: key, initramfsSha256: options.initramfs.sha256, logRoot: path.join(options.out, '.work', 'logs'),
    emit: options.emit, signal: options.signal, confirmFailures: plan.search.confirmFailures,
  });
  const close = async () => {
    await Promise.all(remotes.map((r) => r.close()));
    await claimed.release();
  };
  return {
    source, workspace, tool, journal, evaluator, slots: executor.slots, memory: memory.memory, poolEvents: pool?.events ?? [], accel: () => resolveAccel(probe),
    slotDirs: claimed.slots.map((i) => workspace.slotDir(i)), close,
  };
}
