// Turns "this config, this cmdline" into a verdict: normalize, look up the journal, else run a job.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { canonicalDotConfig, enabledSymbols, type DotConfig } from '../kconfig/dotconfig.js';
import { interruptedError, isInfrastructureError } from '../errors.js';
import type { Executor } from '../tester/executor.js';
import { confirmable, type Verdict } from '../tester/verdict.js';
import { sha256 } from '../util/hash.js';
import type { EventListener } from './events.js';
import type { Journal } from './journal.js';

export interface Normalizer {
  olddefconfig(config: DotConfig): Promise<DotConfig>;
}

/**
 * A boot other than the run's: guest memory (QEMU -m) and the boot timeout that goes with it (the
 * memory search's probes), or another initramfs (the compression stage's: the same app packed with
 * another compressor; its sha256 is part of the verdict's journal key).
 */
export interface BootVariant {
  memory?: string;
  bootTimeoutMs?: number;
  initramfs?: { file: string; sha256: string };
  /** Keep this boot's volume copies in this directory (the last re-check: what the tests wrote). Not part of the journal key. */
  keepVolumes?: string;
  /** Boot the kernel's stored vmlinux by its PVH entry instead of its bzImage (a kernel with CONFIG_PVH). */
  kernel?: 'vmlinux';
}

export interface Normalized {
  config: DotConfig;
  hash: string;
}

export class Evaluator {
  evaluations = 0;
  builds = 0;
  /** Candidates whose runs disagreed (counted as failing), this run's and the journal's, for the report. */
  readonly flaky: { label: string; detail: string }[] = [];
  private readonly limit: LimitFunction;
  private readonly inFlight = new Map<string, Promise<Verdict>>();
  private readonly normalized = new Map<string, Promise<Normalized>>();
  /** Numbers the log dirs; a resumed run goes on after the dirs of earlier runs. */
  private sequence: Promise<number> | undefined;
  /** The initramfs boots get from now on unless their variant names one (the rootfs stage's result). */
  private runInitramfs: BootVariant['initramfs'];
  /** The kernel file boots get from now on (the PVH stage's pick): absent, the bzImage. */
  private runKernel: BootVariant['kernel'];

  constructor(
    private readonly options: {
      normalizer: Normalizer;
      executor: Executor;
      journal: Journal;
      /** Hash of everything besides config, cmdline and initramfs that decides a verdict. */
      runKey: string;
      /** The sha256 of the initramfs the executor boots unless told otherwise (part of every journal key). */
      initramfsSha256?: string;
      logRoot: string;
      emit: EventListener;
      signal?: AbortSignal;
      /** Runs of the same candidate that must fail too before a failure counts (default 1; 0 = trust one). */
      confirmFailures?: number;
    },
  ) {
    this.limit = pLimit(Math.max(1, options.executor.slots));
  }

  /** The kernel's olddefconfig of `config`, memoized by content. */
  normalize(config: DotConfig): Promise<Normalized> {
    const key = sha256(canonicalDotConfig(config));
    let result = this.normalized.get(key);
    if (!result) {
      result = this.options.normalizer.olddefconfig(config).then((c) => ({ config: c, hash: hashConfig(c) }));
      this.normalized.set(key, result);
    }
    return result;
  }

  /** The journal key of a (config, cmdline) pair in this run, and of a boot with other guest memory, boot timeout or initramfs. */
  keyOf(candidate: Normalized, cmdline: string, given?: BootVariant): string {
    const variant = this.withRunDefaults(given);
    const memory = variant?.memory !== undefined ? `\nmemory ${variant.memory}` : '';
    const bootTimeout = variant?.bootTimeoutMs !== undefined ? `\nboot-timeout ${variant.bootTimeoutMs}` : '';
    // The initramfs booted: the variant's (with the rootfs stage's result as the default), else the executor's.
    const sha = variant?.initramfs?.sha256 ?? this.options.initramfsSha256;
    const initramfs = sha ? `\ninitramfs ${sha}` : '';
    const kernel = variant?.kernel ? `\nkernel ${variant.kernel}` : '';
    return sha256(`${this.options.runKey}\n${candidate.hash}\n${cmdline}${memory}${initramfs}${bootTimeout}${kernel}`);
  }

  /**
   * From now on every boot whose variant names no initramfs gets this one (its sha256 goes into the
   * journal key, as a variant's does), instead of the one the executor was opened with.
   */
  useInitramfs(initramfs: { file: string; sha256: string }): void {
    this.runInitramfs = initramfs;
  }

  /** From now on every boot boots the kernel's vmlinux by its PVH entry (part of the journal key), unless its variant says otherwise. */
  useKernel(kernel: 'vmlinux'): void {
    this.runKernel = kernel;
  }

  private withRunDefaults(given: BootVariant | undefined): BootVariant | undefined {
    const variant = this.runInitramfs && !given?.initramfs ? { ...given, initramfs: this.runInitramfs } : given;
    return this.runKernel && !variant?.kernel ? { ...variant, kernel: this.runKernel } : variant;
  }

  /** Verdict for a normalized config with a cmdline (and a boot variant); each distinct one runs at most once. */
  evaluate(candidate: Normalized, cmdline: string, label: string, given?: BootVariant): Promise<Verdict> {
    const variant = this.withRunDefaults(given);
    const key = this.keyOf(candidate, cmdline, given);
    const known = this.options.journal.get(key);
    if (known) {
      if (known.flaky) this.noteFlaky(label, known.flaky);
      this.evaluations++;
      const at = this.options.journal.recordedAt(key) ?? new Date().toISOString();
      this.options.emit({ type: 'verdict', label, verdict: known, fromJournal: true, evaluations: this.evaluations, builds: this.builds, optionsEnabled: enabledSymbols(candidate.config).length, at });
      return Promise.resolve(known);
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limit(() => this.run(key, candidate, cmdline, label, variant));
      this.inFlight.set(key, pending);
      void pending.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    }
    return pending;
  }

  /** Run once more, ignoring the journal (final re-checks against flakiness). */
  async rerun(candidate: Normalized, cmdline: string, label: string, given?: Pick<BootVariant, 'keepVolumes' | 'kernel'>): Promise<Verdict> {
    return this.limit(() => this.run(undefined, candidate, cmdline, label, this.withRunDefaults(given)));
  }

  private async run(key: string | undefined, candidate: Normalized, cmdline: string, label: string, variant?: BootVariant): Promise<Verdict> {
    const { journal, emit } = this.options;
    const first = await this.once(candidate, cmdline, label, variant);
    let verdict = first;
    // Confirm a failure before it decides anything (final re-checks are already repeated by the caller).
    // Runs that disagree lean to keeping: the config counts as failing, so the option stays.
    for (let n = 0; key && confirmable(verdict) && n < (this.options.confirmFailures ?? 1); n++) {
      const again = await this.once(candidate, cmdline, `${label} (confirming)`, variant);
      const paid = { built: first.built || again.built, buildMs: first.buildMs + again.buildMs, buildLog: first.buildLog ?? again.buildLog };
      if (again.status === 'pass') {
        verdict = { ...verdict, ...paid, flaky: `${first.status}: ${first.reason}; then pass: ${again.reason}` };
        emit({ type: 'warning', message: `flaky: ${label} failed (${first.status}: ${first.reason}), then passed; counted as failing, so what it removes is kept` });
        break;
      }
      // Still failing: keep the confirmation's outcome, and the build the first run paid for.
      verdict = { ...again, ...paid };
    }
    if (key && verdict.flaky) this.noteFlaky(label, verdict.flaky);
    if (key) await journal.record(key, label, verdict);
    const at = (key && journal.recordedAt(key)) || new Date().toISOString();
    emit({ type: 'verdict', label, verdict, fromJournal: false, evaluations: this.evaluations, builds: this.builds, optionsEnabled: enabledSymbols(candidate.config).length, at });
    return verdict;
  }

  /**
   * One job, tried once more when the machinery failed (QEMU, the accelerator, a build killed from
   * outside): such a failure is no verdict. If it happens again it stops the run, and nothing is
   * journaled for the candidate, so the next run tries it afresh.
   */
  private async once(candidate: Normalized, cmdline: string, label: string, variant?: BootVariant): Promise<Verdict> {
    try {
      return await this.job(candidate, cmdline, label, variant);
    } catch (error) {
      if (!isInfrastructureError(error)) throw error;
      this.checkAborted();
      this.options.emit({ type: 'warning', message: `${label}: ${error.message.split('\n')[0]}; trying once more` });
      return this.job(candidate, cmdline, `${label} (again)`, variant);
    }
  }

  /** One job on the executor: build (unless stored), boot, test. */
  private async job(candidate: Normalized, cmdline: string, label: string, variant?: BootVariant): Promise<Verdict> {
    const { executor, emit, signal } = this.options;
    this.checkAborted();
    const id = String(await this.nextSequence()).padStart(4, '0');
    const logDir = path.join(this.options.logRoot, `${id}-${candidate.hash.slice(0, 12)}`);
    const verdict = await executor.run({
      config: candidate.config, configHash: candidate.hash, cmdline, logDir,
      memory: variant?.memory, bootTimeoutMs: variant?.bootTimeoutMs, initramfs: variant?.initramfs?.file, keepVolumes: variant?.keepVolumes, kernel: variant?.kernel,
      onPhase: (phase) => emit({ type: 'evaluate', label, phase, done: this.evaluations }),
      onBuildProgress: (progress) => emit({ type: 'build-progress', label, ...progress }),
    }, signal);
    this.checkAborted();
    this.evaluations++;
    if (verdict.built) this.builds++;
    return verdict;
  }

  private noteFlaky(label: string, detail: string): void {
    if (!this.flaky.some((f) => f.label === label && f.detail === detail)) this.flaky.push({ label, detail });
  }

  private nextSequence(): Promise<number> {
    this.sequence = (this.sequence ?? readdir(this.options.logRoot).then(
      (names) => Math.max(0, ...names.map((n) => Number.parseInt(n, 10)).filter(Number.isFinite)),
      () => 0,
    )).then((n) => n + 1);
    return this.sequence;
  }

  private checkAborted(): void {
    if (this.options.signal?.aborted) throw interruptedError();
  }
}

/** A config normalized by `resolve` (the Kconfig engine's olddefconfig), hashed as the evaluator hashes the kernel's. */
export function normalizedBy(resolve: (config: DotConfig) => DotConfig, config: DotConfig): Normalized {
  const resolved = resolve(config);
  return { config: resolved, hash: hashConfig(resolved) };
}

export function hashConfig(config: DotConfig): string {
  return sha256(canonicalDotConfig(config));
}
