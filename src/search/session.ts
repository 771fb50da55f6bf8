// Everything a run needs before it evaluates anything: tree, workspace, slots, journal, evaluator.
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { KernelConfigTool } from '../kconfig/kernel.js';
import { resolveKernelSource, type KernelSource } from '../kconfig/source.js';
import type { Profile } from '../profile/types.js';
import { LocalExecutor } from '../tester/executor.js';
import { Workspace } from '../tester/workspace.js';
import { sha256, sha256File } from '../util/hash.js';
import { cacheRoot } from '../util/paths.js';
import { Evaluator } from './evaluator.js';
import type { EventListener } from './events.js';
import { Journal } from './journal.js';

export interface SessionOptions {
  out: string;
  tests: string;
  port: number;
  profile: Profile;
  initramfs: { file: string; sha256: string };
  kernelSrc?: string;
  cache?: string;
  jobs?: number;
  testTimeoutMs?: number;
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  emit: EventListener;
}

export interface Session {
  source: KernelSource;
  workspace: Workspace;
  tool: KernelConfigTool;
  journal: Journal;
  evaluator: Evaluator;
  slots: number;
  /** The O= dirs of the claimed slots (the start config was built in one of them, unless cached). */
  slotDirs: string[];
  close(): Promise<void>;
}

export interface KernelTree {
  source: KernelSource;
  workspace: Workspace;
  tool: KernelConfigTool;
}

export async function openKernel(options: Pick<SessionOptions, 'kernelSrc' | 'cache'>): Promise<KernelTree> {
  const source = await resolveKernelSource({ kernelSrc: options.kernelSrc, cache: options.cache });
  const workspace = new Workspace(source.key, options.cache ?? cacheRoot());
  return { source, workspace, tool: new KernelConfigTool(source.dir, workspace.kconfigDir) };
}

export async function openSession(options: SessionOptions, kernel?: KernelTree): Promise<Session> {
  const { source, workspace, tool } = kernel ?? (await openKernel(options));
  const jobs = options.jobs ?? defaultJobs();
  const claimed = await workspace.claimSlots(jobs);
  const journal = await Journal.open(options.out);
  const runKey = sha256(JSON.stringify({
    tree: source.key, initramfs: options.initramfs.sha256, tests: await sha256File(options.tests),
    port: options.port, qemu: options.profile.qemu,
  }));
  const executor = new LocalExecutor({
    srcDir: source.dir, initramfs: options.initramfs.file, tests: options.tests, port: options.port,
    qemu: options.profile.qemu, bootTimeoutMs: options.bootTimeoutMs ?? 120_000,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000, testTimeoutMs: options.testTimeoutMs ?? 120_000, jobsHint: jobs,
  }, workspace, claimed.slots);
  const evaluator = new Evaluator({
    normalizer: tool, executor, journal, runKey, logRoot: path.join(options.out, '.work', 'logs'),
    emit: options.emit, signal: options.signal,
  });
  return {
    source, workspace, tool, journal, evaluator, slots: claimed.slots.length,
    slotDirs: claimed.slots.map((i) => workspace.slotDir(i)), close: claimed.release,
  };
}

function defaultJobs(): number {
  // A kernel build already uses every core through make -j; a second slot pays off from 4 cores.
  return Math.max(1, Math.floor(availableParallelism() / 4));
}
