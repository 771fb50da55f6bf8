// RemoteExecutor: runs whole jobs on a worker host over SSH (upload, build or reuse, boot, test, logs back).
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { kernelVersion } from '../kconfig/source.js';
import { withTcgFallback } from '../tester/boot.js';
import { withMemory, type Executor, type Job, type JobSettings } from '../tester/executor.js';
import type { Verdict } from '../tester/verdict.js';
import { Workspace } from '../tester/workspace.js';
import { command, quote } from '../util/shell.js';
import { kvmProbeArgv, type Accel } from '../vm/accel.js';
import { QEMU_BINARY } from '../vm/qemu.js';
import { remoteBootAndTest } from './boot.js';
import { remoteBuild } from './build.js';
import { connectWorker, type ConnectOptions } from './connect.js';
import { WorkerLostError } from './errors.js';
import type { SshConnection } from './connection.js';
import { claimRemoteSlots, remoteSlotDir, type SlotClaim } from './slots.js';
import { remoteCacheRoot, resolveRemoteSource, type RemoteTree } from './source.js';

export interface RemoteWorkerOptions extends ConnectOptions {
  slots?: number;
  /** Kernel tree on the worker; default: its /usr/src/linux-source-*.tar.xz unpacked in its cache. */
  kernelSrc?: string;
  /** Extra build environment on the worker (e.g. distccEnv()). */
  buildEnv?: Record<string, string>;
  /** make -j on the worker (default: its cores / slots; with distcc, the hosts' job limits). */
  buildJobs?: number;
  /** The worker's tinyx cache (artifacts, slots, ccache); default as cacheRoot() resolves it there. */
  cacheRoot?: string;
}

interface Ready {
  ssh: SshConnection;
  tree: RemoteTree;
  workspace: Workspace;
  runDir: string;
  initramfs: string;
  tests: string;
  accel: Accel;
  cpus: number;
  claim: SlotClaim;
  free: number[];
}

export class RemoteExecutor implements Executor {
  readonly name: string;
  readonly slots: number;
  private ready: Promise<Ready> | undefined;
  private sequence = 0;

  constructor(private readonly settings: JobSettings, private readonly worker: RemoteWorkerOptions) {
    this.name = worker.url;
    this.slots = worker.slots ?? 1;
  }

  /** Connects, finds the kernel tree, uploads the run's initramfs and tests, claims slots. Idempotent. */
  start(): Promise<Ready> {
    this.ready ??= this.connect();
    return this.ready;
  }

  private async connect(): Promise<Ready> {
    const ssh = await connectWorker(this.worker);
    try {
      const cacheRoot = this.worker.cacheRoot ?? await remoteCacheRoot(ssh);
      const tree = await resolveRemoteSource(ssh, { kernelSrc: this.worker.kernelSrc, cacheRoot, package: this.settings.kernelPackage });
      const here = await kernelVersion(this.settings.srcDir);
      if (tree.version !== here) {
        // Verdicts are cached by config hash whoever ran them: every executor must build the same kernel.
        throw new TinyxError('TINYX_KERNEL_SRC_NOT_FOUND', `${this.name} has kernel ${tree.version} in ${tree.dir}, this run uses ${here}.`, {
          advice: 'Give the worker a tree of the same version (kernelSrc in workers.yaml), or install the same linux-source package there.',
        });
      }
      const workspace = new Workspace(tree.key, cacheRoot);
      const runDir = path.posix.join(cacheRoot, 'remote-runs', `${Date.now()}-${randomBytes(4).toString('hex')}`);
      const tests = path.posix.join(runDir, 'tests', path.basename(this.settings.tests));
      const initramfs = path.posix.join(runDir, path.basename(this.settings.initramfs));
      await ssh.run(`mkdir -p ${quote(path.posix.join(runDir, 'tests'))} ${quote(path.posix.join(runDir, 'jobs'))}`);
      await ssh.put(this.settings.initramfs, initramfs);
      await ssh.put(this.settings.tests, tests, 0o755);
      const choice = this.settings.qemu.accel;
      const probe = choice === 'auto' ? [command(kvmProbeArgv({ qemu: QEMU_BINARY, machine: this.settings.qemu.machine }))] : [];
      const facts = await ssh.run(['nproc', ...probe].join('; '));
      const [cpus, answer = choice] = facts.trim().split('\n');
      const accel: Accel = answer === 'kvm' ? 'kvm' : 'tcg';
      const claim = await claimRemoteSlots(ssh, path.posix.dirname(workspace.slotDir(0)), this.slots);
      return { ssh, tree, workspace, runDir, initramfs, tests, accel, cpus: Number(cpus) || 1, claim, free: [...claim.slots] };
    } catch (error) {
      ssh.close();
      throw error;
    }
  }

  async run(job: Job, signal?: AbortSignal): Promise<Verdict> {
    const ready = await this.start();
    const slot = ready.free.shift();
    if (slot === undefined) throw new Error(`${this.name}: more concurrent jobs than slots`);
    try {
      const verdict = await ready.ssh.guard(() => this.runIn(ready, slot, job, signal));
      // A job cut short by a dying connection can look like a boot failure: look once more.
      if (verdict.status !== 'pass') await sleep(300);
      if (ready.ssh.lost) throw new WorkerLostError(this.name, `the connection dropped during job ${job.configHash.slice(0, 12)}`);
      return verdict;
    } catch (error) {
      if (error instanceof WorkerLostError || signal?.aborted) throw error;
      throw new WorkerLostError(this.name, `job ${job.configHash.slice(0, 12)} failed on the worker: ${(error as Error).message}`, error);
    } finally {
      ready.free.push(slot);
    }
  }

  private async runIn(ready: Ready, slot: number, job: Job, signal?: AbortSignal): Promise<Verdict> {
    const jobDir = path.posix.join(ready.runDir, 'jobs', String(++this.sequence).padStart(4, '0'));
    const base = { configHash: job.configHash, cmdline: job.cmdline, bootMs: 0, testMs: 0 };
    await mkdir(job.logDir, { recursive: true });
    await ready.ssh.run(`mkdir -p ${quote(jobDir)}`);
    job.onPhase?.('build');
    const remoteLog = path.posix.join(jobDir, 'build.log');
    const build = await remoteBuild(ready.ssh, {
      srcDir: ready.tree.dir, slotDir: remoteSlotDir(path.posix.dirname(ready.workspace.slotDir(0)), slot), config: job.config,
      artifactDir: ready.workspace.artifactDir(job.configHash), ccacheDir: ready.workspace.ccacheDir, ccacheBase: ready.workspace.ccacheBase,
      logFile: remoteLog, jobs: this.worker.buildJobs ?? Math.max(1, Math.floor(ready.cpus / this.slots)), env: this.worker.buildEnv, signal,
    });
    const buildLog = build.built ? path.join(job.logDir, 'build.log') : undefined;
    if (buildLog) await ready.ssh.get(remoteLog, buildLog);
    // The worker's machinery failed, not the config: the pool gives the job to another executor.
    if (build.infrastructure) throw new WorkerLostError(this.name, `the build of ${job.configHash.slice(0, 12)} failed there: ${build.reason}`);
    if (!build.ok || !build.bzImage) {
      return { ...base, status: 'build-error', reason: build.reason, built: build.built, buildMs: build.durationMs, consoleTail: build.logTail, buildLog };
    }
    // The PVH stage boots on this machine only (it is skipped in a run with workers).
    if (job.kernel === 'vmlinux') throw new Error('a worker boots bzImages only: the vmlinux (PVH) boots are local');
    const bzImageBytes = Number((await ready.ssh.run(`stat -c %s ${quote(build.bzImage)}`)).trim());
    job.onPhase?.('boot');
    // A job with its own initramfs (the compression stage's) brings it along.
    const initramfs = job.initramfs ? path.posix.join(jobDir, path.basename(job.initramfs)) : ready.initramfs;
    if (job.initramfs) await ready.ssh.put(job.initramfs, initramfs);
    const request = {
      bzImage: build.bzImage, initramfs, tests: ready.tests, cmdline: job.cmdline, qemu: withMemory(this.settings.qemu, job.memory),
      network: this.settings.network, jobDir, logDir: job.logDir, bootTimeoutMs: job.bootTimeoutMs ?? this.settings.bootTimeoutMs,
      readyTimeoutMs: this.settings.readyTimeoutMs, testTimeoutMs: this.settings.testTimeoutMs, signal,
    };
    // TCG on this worker for the rest of the run once a real guest disproves its KVM probe.
    const boot = await withTcgFallback(this.settings.qemu.accel, ready.accel, (accel) => remoteBootAndTest(ready.ssh, { ...request, accel }), () => {
      ready.accel = 'tcg';
    });
    return { ...base, ...boot, built: build.built, buildMs: build.durationMs, bzImageBytes, buildLog };
  }

  /** Releases the slots, removes the run dir on the worker, disconnects. */
  async close(): Promise<void> {
    if (!this.ready) return;
    const ready = await this.ready.catch(() => undefined);
    if (!ready) return;
    ready.claim.release();
    if (!ready.ssh.lost) await ready.ssh.exec(`rm -rf ${quote(ready.runDir)}`).catch(() => undefined);
    ready.ssh.close();
  }
}
