// The minimize pipeline: inputs -> initramfs -> start config -> sanity -> kernel search -> cmdline search -> output.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveApp, type Manifest } from '../deps/index.js';
import { hostTrace } from '../deps/hosttrace.js';
import { buildInitramfs } from '../packager/initramfs.js';
import { TinyxError } from '../errors.js';
import type { KernelConfigTool } from '../kconfig/kernel.js';
import { makeStartConfig } from '../kconfig/start.js';
import { enabledSymbols, formatDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { readUserConfig } from '../kconfig/userconfig.js';
import { loadKconfig, type KconfigModel } from '../kconfig/engine.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256, sha256File } from '../util/hash.js';
import { checkCandidateNames, planCandidates } from './candidates.js';
import type { Profile } from '../profile/types.js';
import type { AccelChoice, AccelDecision } from '../tester/accel.js';
import type { Workspace } from '../tester/workspace.js';
import type { Verdict } from '../tester/verdict.js';
import type { Normalized } from './evaluator.js';
import type { EventListener, Stage } from './events.js';
import { checkApp, checkOut, checkSettings, checkTests, checkTools } from './inputs.js';
import { searchCmdline, searchKernel, type KernelSearchResult } from './phases.js';
import { writeRunSpec } from './runspec.js';
import { getStrategy, type Candidate } from './strategy.js';
import type { PoolEvent } from '../remote/pool.js';
import type { WorkerSpec } from '../remote/workers-file.js';
import { openKernel, openSession } from './session.js';
import { traceGuidedCandidates } from '../trace/guide.js';

export interface MinimizeOptions {
  /** The program to run in the guest, or a directory holding it (with `entry`). */
  app: string;
  /** For a directory app: the program to run, relative to it (default: the one dirapp picks). */
  entry?: string;
  appArgs: string[];
  tests: string;
  port: number;
  profile: Profile;
  out: string;
  kernelSrc?: string;
  /** Candidates evaluated at once (each in its own build dir). */
  jobs?: number;
  /** Extra files for the guest ("HOST" or "HOST:GUEST") and paths to leave out. */
  include?: string[];
  exclude?: string[];
  /** Debian packages whose files go in whole (e.g. ca-certificates). */
  includePackages?: string[];
  /** Run the app on the host under strace while the tests run against it, and add what it used. */
  trace?: boolean;
  /** The app's user in the guest (a host account), environment and working directory. */
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Only these options are candidates (e.g. a bounded search). */
  candidates?: string[];
  strategy?: string;
  cmdlineStrategy?: string;
  /** A previous result (its out dir, or a .config): the options it removed are tried first, at once. */
  from?: string;
  /** Skip the boot-option search. */
  keepCmdline?: boolean;
  /** Boot the start kernel once with QEMU logging the kernel code it runs; try never-run options first. */
  kernelTrace?: boolean;
  /**
   * Trust that removing more never turns a failing kernel into a passing one: skip the closing
   * re-check of each kept option on the final config (as the classic loop does). Fewer builds;
   * the result is 1-minimal only if the trust holds, which `tinyx verify` checks.
   */
  assumeMonotone?: boolean;
  /** QEMU's accelerator (default: TINYX_ACCEL, else the profile's qemu.accel, else auto). */
  accel?: AccelChoice;
  /** Runs that must fail again before a failing candidate counts as failing (default 1). */
  confirmFailures?: number;
  /** Boots of the final result, each of which must pass, before it is written (default 3). */
  finalRuns?: number;
  testTimeoutMs?: number;
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Remote worker hosts (see docs/workers.md). */
  workers?: WorkerSpec[];
  onUnreachableWorker?: 'fail' | 'warn';
  /** DISTCC_HOSTS for every build. */
  distcc?: string;
  cache?: string;
  signal?: AbortSignal;
  onEvent?: EventListener;
}

export interface StageTime {
  stage: Stage;
  seconds: number;
}

export interface MinimizeResult {
  options: MinimizeOptions;
  kernelVersion: string;
  /** The accelerator the guests ran under (and run.sh uses). */
  accel: AccelDecision;
  start: { config: DotConfig; verdict: Verdict; bzImage: string };
  final: { config: DotConfig; verdict: Verdict; bzImage: string; cmdline: string };
  kernel: KernelSearchResult;
  cmdlineRemoved: string[];
  initramfs: { file: string; bytes: number; uncompressedBytes: number; entries: number };
  /** What went into the guest for the app, and why. */
  manifest: Manifest;
  evaluations: number;
  builds: number;
  /** Candidates whose runs disagreed; each was counted as failing. */
  flaky: { label: string; detail: string }[];
  wallSeconds: number;
  /** Executor pool events (dispatch, re-queue, dropped workers), for the report; empty without workers. */
  workerEvents: PoolEvent[];
  stages: StageTime[];
  workspace: Workspace;
  tool: KernelConfigTool;
}

export async function minimize(options: MinimizeOptions): Promise<MinimizeResult> {
  const began = Date.now();
  const emit: EventListener = options.onEvent ?? (() => undefined);
  const stages: StageTime[] = [];
  let stageStart = Date.now();
  let current: Stage | undefined;
  const stage = (next: Stage, message: string) => {
    // Ctrl-C or SIGTERM: stop between stages too, not only between candidates.
    if (options.signal?.aborted) throw interrupted();
    if (current) stages.push({ stage: current, seconds: (Date.now() - stageStart) / 1000 });
    current = next;
    stageStart = Date.now();
    emit({ type: 'stage', stage: next, message });
  };

  stage('inputs', 'checking inputs');
  checkSettings(options);
  const { file: app, entry } = await checkApp(options.app, options.entry);
  const tests = await checkTests(options.tests);
  const out = await checkOut(options.out);
  getStrategy(options.strategy ?? options.profile.search.strategy);
  getStrategy(options.cmdlineStrategy ?? options.profile.search.cmdlineStrategy);
  await checkTools();
  const previous = options.from ? await readPrevious(options.from) : undefined;
  const work = path.join(out, '.work');
  const kernelTree = await openKernel(options);
  // With --candidates the model is read now, so a misspelled name is refused before any build.
  const earlyModel = options.candidates
    ? await readModel(kernelTree.source.dir, options.cache, emit, '--candidates names are not checked before the build, and the kernel\'s olddefconfig does every check')
    : undefined;
  if (earlyModel && options.candidates) checkCandidateNames(options.candidates, earlyModel.symbolNames());

  stage('deps', `resolving the runtime closure of ${path.basename(app)}`);
  const manifest = await resolveApp(app, {
    entry, include: options.include, exclude: options.exclude, includePackages: options.includePackages,
    trace: options.trace ? hostTrace(options, tests) : undefined,
  });
  stage('initramfs', 'packing the initramfs');
  const initramfs = await buildInitramfs({
    manifest,
    init: { appGuestPath: manifest.app.guestPath, appArgs: options.appArgs, port: options.port, env: options.env, cwd: options.cwd, user: options.user },
    outFile: path.join(work, 'initramfs.cpio.gz'),
  });
  await writeRunSpec(out, { ...options, app, entry, tests });

  stage('start-config', `making the start config (${options.profile.kernel.base} + profile ${options.profile.name})`);
  const session = await openSession({ ...options, tests, out, initramfs, emit }, kernelTree);
  const { source, workspace, tool, journal, evaluator } = session;
  try {
    const start = await makeStartConfig(tool, options.profile);
    for (const name of start.unmet) emit({ type: 'warning', message: `profile option ${name} did not stick in the start config` });
    if (journal.size > 0) emit({ type: 'info', message: `resuming: ${journal.size} verdicts in ${journal.file}` });

    stage('sanity', 'building and booting the start config (it must pass before anything is removed)');
    const startNorm: Normalized = await evaluator.normalize(start.config);
    const cmdline = options.profile.boot.cmdline;
    const startVerdict = await evaluator.evaluate(startNorm, cmdline, 'start');
    if (startVerdict.status !== 'pass') {
      throw new TinyxError('TINYX_START_FAILS', `The tests fail on the unreduced VM (${startVerdict.status}: ${startVerdict.reason}); nothing was reduced.\n${startVerdict.consoleTail}`, {
        advice: `Check the app and the tests by hand. Logs: ${startVerdict.consoleLog ?? startVerdict.buildLog ?? work}`,
      });
    }

    stage('candidates', 'reading the kernel\'s Kconfig and listing candidate options');
    const model = options.candidates ? earlyModel : await readModel(source.dir, options.cache, emit, 'using the kernel\'s olddefconfig for every check');
    await writeFileAtomic(path.join(work, 'start.config'), formatDotConfig(startNorm.config));
    const plan = planCandidates(startNorm.config, options.profile, model, options.candidates);
    let candidates = plan.candidates;
    if (options.kernelTrace) {
      // The trace decides the order of the search, so a resumed run must reuse it (the start
      // kernel's build dir, which the trace reads, may have been rebuilt since).
      const traceFile = path.join(work, 'kernel-trace.json');
      const traceKey = sha256(JSON.stringify([startNorm.hash, initramfs.sha256, await sha256File(tests), candidates.map((c) => c.name)]));
      const saved = await readFile(traceFile, 'utf8').then((t) => JSON.parse(t) as SavedTrace, () => undefined);
      let guided: SavedTrace | { skipped: string };
      if (saved?.key === traceKey) {
        guided = saved;
        emit({ type: 'info', message: `kernel trace: reusing ${traceFile}` });
      } else {
        stage('kernel-trace', 'booting the start kernel once with QEMU logging the kernel code that runs');
        guided = await traceGuidedCandidates({
          slotDirs: session.slotDirs, start: startNorm.config, candidates, model, srcDir: source.dir,
          bzImage: path.join(workspace.artifactDir(startNorm.hash), 'bzImage'), initramfs: initramfs.file, cmdline,
          qemu: options.profile.qemu, port: options.port, tests, logDir: path.join(work, 'logs', 'kernel-trace'),
          bootTimeoutMs: options.bootTimeoutMs, readyTimeoutMs: options.readyTimeoutMs, testTimeoutMs: options.testTimeoutMs,
          signal: options.signal,
        }).then(
          async (traced): Promise<SavedTrace | { skipped: string }> => {
            if ('skipped' in traced) return traced;
            const result = { key: traceKey, candidates: traced.candidates, summary: traced.summary };
            await writeFileAtomic(traceFile, JSON.stringify(result) + '\n');
            return result;
          },
          (error: unknown) => ({ skipped: error instanceof Error ? error.message.split('\n')[0]! : String(error) }),
        );
      }
      if ('skipped' in guided) {
        emit({ type: 'warning', message: `no kernel trace (${guided.skipped}); searching in the untraced order` });
      } else {
        candidates = guided.candidates;
        const { executed, notExecuted, unknown } = guided.summary;
        emit({ type: 'info', message: `kernel trace: ${notExecuted} candidates never ran (tried first), ${unknown} without evidence, ${executed} ran` });
      }
    }
    const prior = previous && new Set(enabledSymbols(startNorm.config).filter((name) => previous.get(name) !== 'y'));
    stage('kernel-search', `searching ${candidates.length} candidate options (${options.strategy ?? options.profile.search.strategy})`);
    const kernel = await searchKernel({
      evaluator, start: startNorm, cmdline, candidates, isNoop: plan.isNoop, strategy: options.strategy ?? options.profile.search.strategy,
      parallel: session.slots, signal: options.signal, emit, prior, monotone: options.assumeMonotone,
    });

    stage('cmdline-search', 'searching boot options');
    const cmdlineResult = options.keepCmdline
      ? { cmdline, removed: [] as string[] }
      : await searchCmdline({
        evaluator, config: kernel.final, cmdline, keep: options.profile.boot.keep,
        strategy: options.cmdlineStrategy ?? options.profile.search.cmdlineStrategy, parallel: session.slots, signal: options.signal,
      });

    const finalRuns = Math.max(1, options.finalRuns ?? 3);
    stage('verify', `booting the result ${finalRuns === 1 ? 'once more' : `${finalRuns} more times`}`);
    let finalVerdict: Verdict | undefined;
    for (let run = 1; run <= finalRuns; run++) {
      finalVerdict = await evaluator.rerun(kernel.final, cmdlineResult.cmdline, `final ${run}/${finalRuns}`);
      if (finalVerdict.status !== 'pass') {
        // Failures lean to keeping, so this VM passed when it was found and fails now: a pass during
        // the search was luck. Re-running the same --out replays those verdicts and ends here again.
        throw new TinyxError('TINYX_FINAL_FAILS', `The minimized VM passed during the search but failed re-check ${run} of ${finalRuns} (${finalVerdict.status}: ${finalVerdict.reason}): the tests are flaky on it.`, {
          advice: `Logs: ${finalVerdict.consoleLog ?? work}. Make the tests deterministic (or give them more time: --test-timeout, --boot-timeout), then start afresh: a new --out, or delete ${journal.file}, since this journal holds the lucky pass.`,
        });
      }
    }
    stage('output', `writing ${out}`);
    stages.push({ stage: 'output', seconds: 0 });
    return {
      options, kernelVersion: source.version, tool, workspace, accel: await session.accel(),
      start: { config: startNorm.config, verdict: startVerdict, bzImage: path.join(workspace.artifactDir(startNorm.hash), 'bzImage') },
      final: { config: kernel.final.config, verdict: finalVerdict!, bzImage: path.join(workspace.artifactDir(kernel.final.hash), 'bzImage'), cmdline: cmdlineResult.cmdline },
      kernel, cmdlineRemoved: cmdlineResult.removed,
      initramfs: { file: initramfs.file, bytes: initramfs.bytes, uncompressedBytes: initramfs.uncompressedBytes, entries: initramfs.entries },
      manifest, evaluations: evaluator.evaluations, builds: evaluator.builds, flaky: evaluator.flaky, wallSeconds: (Date.now() - began) / 1000, stages,
      workerEvents: session.poolEvents,
    };
  } finally {
    await session.close();
  }
}

function interrupted(): TinyxError {
  return new TinyxError('TINYX_INTERRUPTED', 'Interrupted; every finished verdict is in the journal.', {
    advice: 'Run the same command again (same --out) to resume where it stopped.',
  });
}

/** The tree's Kconfig model, or undefined (with a warning saying what goes without it) when the engine fails. */
async function readModel(srcDir: string, cacheDir: string | undefined, emit: EventListener, without: string): Promise<KconfigModel | undefined> {
  return loadKconfig(srcDir, { arch: 'x86', cacheDir }).catch((error: unknown) => {
    emit({ type: 'warning', message: `Kconfig engine unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${without}` });
    return undefined;
  });
}

/** A kernel trace's outcome, kept in the out dir for a resumed run. */
interface SavedTrace {
  key: string;
  candidates: Candidate[];
  summary: { executed: number; notExecuted: number; unknown: number };
}

/** The config of a previous result: its out dir, or a .config. */
async function readPrevious(from: string): Promise<DotConfig> {
  const file = (await stat(from).catch(() => undefined))?.isDirectory() ? path.join(from, 'config') : from;
  return readUserConfig(file, '--from', 'Pass the out dir of a finished `tinyx minimize` run, or a kernel .config.');
}
