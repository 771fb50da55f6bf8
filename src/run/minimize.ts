// The minimize pipeline: inputs -> initramfs -> start config -> sanity -> kernel search -> cmdline search -> output.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveApp, type Manifest } from '../deps/index.js';
import { hostStrace } from '../deps/host-strace.js';
import { packPlanned, planArchive, type PlannedArchive } from '../packager/initramfs.js';
import { checkStrip } from '../packager/strip.js';
import { chooseInit } from '../packager/init-kind.js';
import { TinyxError, interruptedError } from '../errors.js';
import { makeStartConfig } from '../profile/start-config.js';
import { formatDotConfig } from '../kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../kconfig/engine.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256 } from '../util/hash.js';
import { prunedLine, reduceRootfs, type ReducedRootfs, type RootfsReduction } from '../search/rootfs.js';
import { checkCandidateNames, planCandidates } from '../search/candidates.js';
import { stillEnabled } from '../search/fixpoint.js';
import { requestOf, type MinimizeOptions } from './options.js';
import type { Verdict } from '../tester/verdict.js';
import type { Normalized } from '../search/evaluator.js';
import type { EventListener, Stage } from '../search/events.js';
import { checkApp, checkOut, checkTests, checkTools } from '../search/inputs.js';
import { makePlan, type RunPlan } from '../plan/plan.js';
import { hostFacts } from '../plan/host.js';
import { probeBootTimeoutMs } from '../plan/timeouts.js';
import { launchTargets } from '../vm/targets.js';
import { searchCmdline, searchKernel, type KernelSearchResult } from '../search/phases.js';
import { runRecord } from '../plan/record.js';
import { getStrategy } from '../search/strategies/index.js';
import { openKernel, openRunContext } from '../search/context.js';
import { kernelTraceOrder } from '../search/kernel-trace-order.js';
import { readPrevious, type Previous } from '../search/previous.js';
import { fromGuess, learnedGuess, type Guess } from '../search/guess.js';
import { knowledgeFile, neededOptions, readKnowledge, recordKnowledge, type KnowledgeRun } from '../search/knowledge.js';
import type { Profile } from '../profile/types.js';
import { oneAtATimeReference } from '../search/model-oracle.js';
import { harnessNeeds } from '../profile/harness.js';
import { compareCompressions, compressInitramfs, planCompression, smallerThanShipped, type CompressionComparison } from '../search/compression.js';
import { recordOutput } from './output-record.js';
import { SeriesCollector, withStoredSizes } from '../search/series.js';
import { leastMemory, parseMiB, type MemorySearch } from '../search/memory.js';
import type { BootTiming } from '../tester/verdict.js';
import type { Evaluator } from '../search/evaluator.js';
import { lockOut, type OutLock } from '../output/lock.js';
import { writeOutput } from '../output/write.js';
import type { MinimizeResult, StageTime } from './result.js';

export type { MinimizeOptions } from './options.js';
export type { MinimizeResult, StageTime } from './result.js';

/**
 * Runs the pipeline into `options.out` and writes the result there, holding the out dir's lock from
 * the end of the inputs stage (or the caller's, `options.outLock`) until the result is written.
 */
export async function minimize(options: MinimizeOptions): Promise<MinimizeResult> {
  const held: { lock?: OutLock } = {};
  try {
    return await minimizeHolding(options, held);
  } finally {
    if (!options.outLock) await held.lock?.release();
  }
}

async function minimizeHolding(options: MinimizeOptions, held: { lock?: OutLock }): Promise<MinimizeResult> {
  const began = Date.now();
  const series = new SeriesCollector();
  const listener: EventListener = options.onEvent ?? (() => undefined);
  const emit: EventListener = (event) => {
    series.listen(event);
    listener(event);
  };
  const stages: StageTime[] = [];
  let stageStart = Date.now();
  let current: Stage | undefined;
  const stage = (next: Stage, message: string) => {
    // Ctrl-C or SIGTERM: stop between stages too, not only between candidates.
    if (options.signal?.aborted) throw interruptedError();
    if (current) stages.push({ stage: current, seconds: (Date.now() - stageStart) / 1000 });
    current = next;
    stageStart = Date.now();
    emit({ type: 'stage', stage: next, message });
  };

  stage('inputs', 'checking inputs');
  const plan = makePlan(options, hostFacts());
  const { profile } = plan.kernel;
  const { file: app, entry } = await checkApp(plan.pack.app, plan.pack.entry);
  const tests = await checkTests(plan.test.tests);
  const out = await checkOut(options.out);
  getStrategy(plan.search.strategy);
  getStrategy(plan.search.cmdlineStrategy);
  launchTargets(profile.vm.targets);
  await checkTools();
  if (plan.pack.strip) await checkStrip();
  const compressionPlan = await planCompression(options);
  const previous = plan.search.from ? await readPrevious(plan.search.from) : undefined;
  const work = path.join(out, '.work');
  held.lock = options.outLock ?? await lockOut(out, (message) => emit({ type: 'info', message }));
  const { scratch } = held.lock;
  const kernelTree = await openKernel(plan.kernel);
  const { source: tree } = kernelTree;
  emit({ type: 'info', message: `kernel ${tree.version}: ${tree.dir} (${tree.chosenBy})` });
  for (const note of tree.notes) emit({ type: 'info', message: note });
  if (previous?.kernelVersion && previous.kernelVersion !== tree.version) {
    emit({ type: 'info', message: `kernel changed: ${previous.kernelVersion} -> ${tree.version} (--from's result ran on ${previous.kernelVersion}; its options are the first guess, by name)` });
  }
  // With --candidates the model is read now, so a misspelled name is refused before any build.
  const earlyModel = plan.search.candidates
    ? await readModel(kernelTree.source.dir, plan.kernel.cache, emit, '--candidates names are not checked before the build, and the kernel\'s olddefconfig does every check')
    : undefined;
  if (earlyModel && plan.search.candidates) checkCandidateNames(plan.search.candidates, earlyModel.symbolNames());

  stage('deps', `resolving the runtime closure of ${path.basename(app)}`);
  const { pack } = plan;
  const manifest = await resolveApp(app, {
    entry, include: pack.include, exclude: pack.exclude, includePackages: pack.includePackages, outDir: out, keepSetuid: pack.keepSetuid,
    strace: pack.trace ? hostStrace({ ...pack, port: pack.network?.guestPort, testTimeoutMs: plan.test.testTimeoutMs, signal: options.signal }, tests) : undefined,
  });
  stage('initramfs', 'packing the initramfs');
  const init = await chooseInit(pack.init, manifest);
  emit({ type: 'info', message: `init: ${init.kind} (${init.reason})` });
  const planned = await planArchive({
    manifest,
    init: { appGuestPath: manifest.app.guestPath, appArgs: pack.appArgs, network: pack.network, env: pack.env, cwd: pack.cwd, user: pack.user, kind: init.kind },
  });
  const packed = await compressInitramfs(compressionPlan, packPlanned(planned), scratch, emit);
  const initramfsSizes = packed.sizes;
  let { initramfs, others: otherInitramfs } = packed;

  stage('start-config', `making the start config (${profile.kernel.base} + profile ${profile.name})`);
  const context = await openRunContext({ plan, out, signal: options.signal, initramfs, emit }, kernelTree);
  const { source, workspace, tool, journal, evaluator } = context;
  try {
    const start = await makeStartConfig(tool, profile, initramfs.compression);
    for (const name of start.unmet) emit({ type: 'warning', message: `profile option ${name} did not stick in the start config` });
    if (journal.size > 0) emit({ type: 'info', message: `resuming: ${journal.size} verdicts in ${journal.file}` });

    stage('sanity', 'building and booting the start config (it must pass before anything is removed)');
    const startNorm: Normalized = await evaluator.normalize(start.config);
    const { cmdline } = plan.boot;
    const startVerdict = await evaluator.evaluate(startNorm, cmdline, 'start');
    if (startVerdict.status !== 'pass') {
      throw new TinyxError('TINYX_START_FAILS', `The tests fail on the unreduced VM (${startVerdict.status}: ${startVerdict.reason}); nothing was reduced.\n${startVerdict.consoleTail}`, {
        advice: `${init.kind === 'tinyx' ? 'The guest\'s init is tinyx\'s own: the guest has no shell and no BusyBox, so an app that runs shell commands or BusyBox applets fails there; try --init busybox. ' : ''}Check the app and the tests by hand. Logs: ${startVerdict.consoleLog ?? startVerdict.buildLog ?? work}`,
      });
    }

    let rootfs: RootfsReduction | undefined;
    if (pack.prune || pack.strip) {
      stage('rootfs', 'leaving out the files the tests pass without and stripping the ELF files they pass without symbols (boots of the start kernel, no build)');
      const reduced = await reduceRunRootfs({ evaluator, start: startNorm, startVerdict, cmdline, planned, manifest, plan, signal: options.signal, slots: context.slots, scratch, emit });
      rootfs = reduced.report;
      if (reduced.omit.size || reduced.replace.size) {
        const before = initramfs.bytes;
        // The same compressor (the start kernel unpacks it); `initramfsSizes` stays what the choice was made from.
        ({ initramfs, others: otherInitramfs } = await compressInitramfs({ ...compressionPlan, asked: initramfs.compression }, packPlanned(planned, reduced.omit, reduced.replace), scratch, emit));
        evaluator.useInitramfs({ file: initramfs.file, sha256: initramfs.sha256 });
        rootfs = { ...rootfs, initramfsBytes: { before, after: initramfs.bytes } };
      }
      emit({ type: 'info', message: rootfsSummary(rootfs) });
    }

    stage('candidates', 'reading the kernel\'s Kconfig and listing candidate options');
    const model = plan.search.candidates ? earlyModel : await readModel(source.dir, plan.kernel.cache, emit, 'using the kernel\'s olddefconfig for every check');
    await writeFileAtomic(path.join(work, 'start.config'), formatDotConfig(startNorm.config));
    const scope = { network: plan.search.network, compression: initramfs.compression };
    const planned0 = planCandidates(startNorm.config, profile, model, { ...scope, only: plan.search.candidates });
    const candidates = plan.search.kernelTrace
      ? await kernelTraceOrder({
        work, start: startNorm, initramfsSha256: initramfs.sha256, emit,
        tracing: () => stage('kernel-trace', 'booting the start kernel once with QEMU logging the kernel code that runs'),
        input: {
          slotDirs: context.slotDirs, start: startNorm.config, candidates: planned0.candidates, model, srcDir: source.dir,
          bzImage: path.join(workspace.artifactDir(startNorm.hash), 'bzImage'), initramfs: initramfs.file, cmdline,
          qemu: profile.qemu, network: plan.boot.network, tests, logDir: path.join(work, 'logs', 'kernel-trace'),
          bootTimeoutMs: plan.boot.bootTimeoutMs, readyTimeoutMs: plan.boot.readyTimeoutMs, testTimeoutMs: plan.test.testTimeoutMs,
          signal: options.signal,
        },
      })
      : planned0.candidates;
    if (previous && model) {
      const known = new Set(model.symbolNames());
      const gone = [...previous.config].filter(([name, value]) => value !== 'n' && !known.has(name)).map(([name]) => name);
      if (gone.length) emit({ type: 'info', message: `${gone.length} option${gone.length === 1 ? '' : 's'} of --from's config ${gone.length === 1 ? 'is' : 'are'} not in kernel ${source.version}: ${gone.join(', ')}` });
    }
    const guess = await firstGuess(plan, previous, emit);
    stage('kernel-search', `searching ${candidates.length} candidate options (${plan.search.strategy})`);
    const kernel = await searchKernel({
      evaluator, start: startNorm, cmdline, candidates, isNoop: planned0.isNoop, strategy: plan.search.strategy,
      parallel: context.slots, signal: options.signal, emit, guess, monotone: plan.search.assumeMonotone,
      // Later rounds: the same plan on the config a round reached; a bounded list stays bounded.
      replan: (config) => planCandidates(config, profile, model, { ...scope, only: stillEnabled(config, plan.search.candidates) }),
    });

    const learned = neededBy(app, source.version, kernel);
    // The comparison the report leads with: the classic loop on the same start, judged by the model with what this run found needed.
    const needed = learned.needed.map((n) => n.option);
    if (model) emit({ type: 'info', message: 'counting the builds the classic one-at-a-time loop would need on the same start (the Kconfig model judging by what this run found needed)' });
    const oneAtATimeBuilds = model
      ? await oneAtATimeReference({
        model, profile, start: startNorm.config, ...scope,
        required: [...needed, ...harnessNeeds(profile, scope.network, initramfs.compression)], only: plan.search.candidates,
      })
      : undefined;

    stage('cmdline-search', 'searching boot options');
    const cmdlineResult = plan.search.keepCmdline
      ? { cmdline, removed: [] as string[] }
      : await searchCmdline({
        evaluator, config: kernel.final, cmdline, keep: profile.boot.keep,
        strategy: plan.search.cmdlineStrategy, parallel: context.slots, signal: options.signal,
      });

    const { finalRuns } = plan.search;
    stage('verify', `booting the result ${finalRuns === 1 ? 'once more' : `${finalRuns} more times`}`);
    let finalVerdict: Verdict | undefined;
    const finalVerdicts: Verdict[] = [];
    for (let run = 1; run <= finalRuns; run++) {
      finalVerdict = await evaluator.rerun(kernel.final, cmdlineResult.cmdline, `final ${run}/${finalRuns}`);
      finalVerdicts.push(finalVerdict);
      if (finalVerdict.status !== 'pass') {
        // Failures lean to keeping, so this VM passed when it was found and fails now: a pass during
        // the search was luck. Re-running the same --out replays those verdicts and ends here again.
        throw new TinyxError('TINYX_FINAL_FAILS', `The minimized VM passed during the search but failed re-check ${run} of ${finalRuns} (${finalVerdict.status}: ${finalVerdict.reason}): the tests are flaky on it.`, {
          advice: `Logs: ${finalVerdict.consoleLog ?? work}. Make the tests deterministic (or give them more time: --test-timeout, --boot-timeout), then start afresh: a new --out, or delete ${journal.file}, since this journal holds the lucky pass.`,
        });
      }
    }
    const finalTiming = medianTiming(finalVerdicts.map((v) => v.timing));
    const memory = plan.search.keepMemory ? undefined : await searchMemory(evaluator, kernel.final, cmdlineResult.cmdline, profile, finalTiming, stage, emit);
    if (otherInitramfs.length) stage('compression', `building and booting the result with ${otherInitramfs.map((o) => o.compression).join(', ')} instead of ${initramfs.compression} (kernel and initramfs), for the report`);
    const compressionRows = await compareCompressions({
      evaluator, final: kernel.final, cmdline: cmdlineResult.cmdline, others: otherInitramfs,
      shipped: { initramfs, bzImageBytes: await fileBytes(path.join(workspace.artifactDir(kernel.final.hash), 'bzImage')) ?? 0, boot: finalTiming },
      bzImageBytes: async (hash, verdict) => (await fileBytes(path.join(workspace.artifactDir(hash), 'bzImage'))) ?? verdict.bzImageBytes,
    });
    const smaller = smallerThanShipped(compressionRows);
    const compression: CompressionComparison = {
      asked: compressionPlan.asked, used: initramfs.compression, initramfs: initramfsSizes, rows: compressionRows, ...(smaller ? { smaller } : {}),
    };
    if (compression.smaller) emit({ type: 'info', message: `the VM with ${compression.smaller.compression} is ${compression.smaller.savedBytes} bytes smaller in total; ${compression.smaller.flag} searches with it` });
    stage('output', `writing ${out}`);
    stages.push({ stage: 'output', seconds: 0 });
    const result = {
      request: requestOf(options), plan, kernelVersion: source.version, kernelTree: source.key, kernelSource: source.identity, accel: await context.accel(),
      start: { config: startNorm.config, verdict: startVerdict, bzImage: path.join(workspace.artifactDir(startNorm.hash), 'bzImage') },
      final: { config: kernel.final.config, verdict: finalVerdict!, bzImage: path.join(workspace.artifactDir(kernel.final.hash), 'bzImage'), cmdline: cmdlineResult.cmdline },
      kernel, cmdlineRemoved: cmdlineResult.removed,
      initramfs: { file: initramfs.file, compression: initramfs.compression, bytes: initramfs.bytes, uncompressedBytes: initramfs.uncompressedBytes, entries: initramfs.entries, parts: initramfs.parts },
      searchSeries: await withStoredSizes(series.series(began), (hash) => path.join(workspace.artifactDir(hash), 'bzImage')),
      manifest, init, evaluations: evaluator.evaluations, builds: evaluator.builds, flaky: evaluator.flaky, wallSeconds: (Date.now() - began) / 1000, stages,
      workerEvents: context.poolEvents, oneAtATimeBuilds, memory, compression, rootfs,
      boot: { start: startVerdict.timing, final: finalTiming },
    };
    // While the context is open: savedefconfig runs in the kconfig scratch dir that closing removes.
    const run = runRecord({ ...options, app, entry, tests }, { version: tree.version, tree: tree.key, ...(tree.package ? { package: tree.package } : {}) }, { asked: compressionPlan.asked, used: initramfs.compression });
    const output = await recordOutput(result, tool, run);
    await writeOutput(output, out);
    // Only a full search that got this far teaches the next run's first guess (a --candidates list searched only its own).
    if (!plan.search.candidates) await recordKnowledge(knowledgeFile(plan.kernel.cache, profile.name), profile.name, learned)
      .catch((error: unknown) => emit({ type: 'warning', message: `the knowledge file was not updated: ${error instanceof Error ? error.message : String(error)}` }));
    return { ...result, output };
  } finally {
    await context.close();
  }
}

/**
 * --from's result, else (unless --no-prior) what the profile's shipped prior and the finished
 * runs in the knowledge file needed; the run says which.
 */
async function firstGuess(plan: RunPlan, previous: Previous | undefined, emit: EventListener): Promise<Guess | undefined> {
  const { profile, cache } = plan.kernel;
  const { noPrior, from: fromFlag } = plan.search;
  if (noPrior && !previous) {
    emit({ type: 'info', message: 'first guess: none (--no-prior)' });
    return undefined;
  }
  const file = knowledgeFile(cache, profile.name);
  const runs = noPrior ? [] : await readKnowledge(file, (message) => emit({ type: 'warning', message }));
  const learned = noPrior ? undefined : learnedGuess(profile.search.prior, runs);
  const from = [
    ...(profile.search.prior.length ? [`the profile's search.prior (${profile.search.prior.map((p) => `${p.example}: ${p.needed.length}`).join(', ')})`] : []),
    ...(runs.length ? [`${runs.length} finished run${runs.length === 1 ? '' : 's'} in ${file}`] : []),
  ];
  if (previous) {
    // A tinyx result is evidence; any other .config only bounds the search.
    if (!previous.isResult) emit({ type: 'info', message: `first guess: ${fromFlag} (a .config outside a tinyx out dir: what it keeps is searched by the strategy once it holds)` });
    const guess = fromGuess(previous.config, fromFlag!, previous.isResult, learned);
    if (guess.widen) emit({ type: 'info', message: `if --from's options fail: ${guess.widen.size} more that other runs needed are tried first, from ${from.join(' and ')}` });
    return guess;
  }
  emit({ type: 'info', message: learned ? `first guess: ${learned.keep.size} options, from ${from.join(' and ')}` : 'first guess: none (no shipped prior, no finished runs of this profile yet)' });
  return learned;
}

/** What a finished run teaches: each kept candidate that failed when removed (not the forced or growing ones). */
function neededBy(app: string, kernelVersion: string, kernel: KernelSearchResult): KnowledgeRun {
  const needed = neededOptions(kernel.kept, kernel.noops, kernel.reasons);
  return { app: path.resolve(app), kernelVersion, finishedAt: new Date().toISOString(), needed };
}

/** The tree's Kconfig model, or undefined (with a warning saying what goes without it) when the engine fails. */
async function readModel(srcDir: string, cacheDir: string | undefined, emit: EventListener, without: string): Promise<KconfigModel | undefined> {
  return loadKconfig(srcDir, { arch: 'x86', cacheDir }).catch((error: unknown) => {
    emit({ type: 'warning', message: `Kconfig engine unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${without}` });
    return undefined;
  });
}

/**
 * The rootfs stage's search: each test packs the archive uncompressed (the kernel unpacks a plain
 * cpio whatever its RD_ options, and no compressor runs per boot) and boots it on the start kernel.
 * A rootfs without something the init needs often never starts the app, so its boots get a timeout
 * of their own, as the memory probes do: five times the start VM's boot, at least 10 s.
 */
async function reduceRunRootfs(input: {
  evaluator: Evaluator; start: Normalized; startVerdict: Verdict; cmdline: string; planned: PlannedArchive; manifest: Manifest;
  plan: RunPlan; signal?: AbortSignal; slots: number; scratch: string; emit: EventListener;
}): Promise<ReducedRootfs> {
  const { evaluator, plan, scratch } = input;
  const bootTimeoutMs = probeBootTimeoutMs(input.startVerdict.timing?.appMs);
  let tried = 0;
  return reduceRootfs({
    planned: input.planned, appGuestPath: input.manifest.app.guestPath, keepFiles: [...plan.pack.keepFiles], prune: plan.pack.prune, strip: plan.pack.strip,
    strategy: plan.search.strategy, parallel: input.slots, signal: input.signal,
    info: (message) => input.emit({ type: 'info', message }),
    test: async (archive, label) => {
      const sha = sha256(archive.archive);
      const file = path.join(scratch, 'rootfs', `${String(++tried).padStart(4, '0')}.cpio`);
      await writeFileAtomic(file, archive.archive);
      try {
        return (await evaluator.evaluate(input.start, input.cmdline, label, { initramfs: { file, sha256: sha }, bootTimeoutMs })).status === 'pass';
      } finally {
        await rm(file, { force: true });
      }
    },
  });
}

/** One line for the log: what the rootfs stage left out and stripped. */
function rootfsSummary(r: RootfsReduction): string {
  const parts = [
    ...(r.skipped.length ? [`skipped ${r.skipped.join(', ')}`] : []),
    `left out ${prunedLine(r)} (${r.prunedBytes} bytes)`,
    `stripped ${r.stripped.length} ELF file${r.stripped.length === 1 ? '' : 's'} (${r.strippedSavedBytes} bytes saved${r.notStripped.length ? `; ${r.notStripped.length} kept their symbols` : ''})`,
    ...(r.initramfsBytes ? [`initramfs ${r.initramfsBytes.before} -> ${r.initramfsBytes.after} bytes`] : []),
  ];
  return `rootfs: ${parts.join('; ')}, ${r.evaluations} boots`;
}

/** A file's size, or undefined when it is not there (a kernel built on a worker and not fetched). */
async function fileBytes(file: string): Promise<number | undefined> {
  return stat(file).then((s) => s.size, () => undefined);
}

/** Each timing's median over the boots that have one (the final VM's re-checks). */
function medianTiming(timings: (BootTiming | undefined)[]): BootTiming | undefined {
  const known = timings.filter((t): t is BootTiming => t !== undefined);
  if (!known.length) return undefined;
  const median = (values: number[]) => values.length ? values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] : undefined;
  const pick = (key: keyof BootTiming) => median(known.map((t) => t[key]).filter((v): v is number => v !== undefined));
  const [initMs, readyMs] = [pick('initMs'), pick('readyMs')];
  return { ...(initMs !== undefined ? { initMs } : {}), appMs: pick('appMs')!, ...(readyMs !== undefined ? { readyMs } : {}) };
}

/**
 * The least guest memory the final VM passes with, then one boot with what run.sh will give it. A
 * probe that has too little memory often hangs before the console prints anything, so probes get a
 * boot timeout of their own: five times the final VM's boot, and at least 10 s.
 */
async function searchMemory(
  evaluator: Evaluator, final: Normalized, cmdline: string, profile: Profile, timing: BootTiming | undefined,
  stage: (stage: Stage, message: string) => void, emit: EventListener,
): Promise<MemorySearch | undefined> {
  const fromMiB = parseMiB(profile.qemu.memory);
  if (fromMiB === undefined) {
    emit({ type: 'warning', message: `no memory search: the profile's qemu.memory "${profile.qemu.memory}" is not a plain size in MiB` });
    return undefined;
  }
  stage('memory', `finding the least guest memory the result passes with (from ${fromMiB} MiB, about ${Math.ceil(Math.log2(fromMiB))} boots)`);
  const bootTimeoutMs = probeBootTimeoutMs(timing?.appMs);
  const probe = async (mib: number) => {
    const verdict = await evaluator.evaluate(final, cmdline, `memory ${mib} MiB`, { memory: `${mib}M`, bootTimeoutMs });
    return { passed: verdict.status === 'pass', reason: `${verdict.status}: ${verdict.reason}` };
  };
  const found = await leastMemory(probe, fromMiB);
  const check = await probe(found.runMiB);
  if (!check.passed) {
    emit({ type: 'warning', message: `the result failed with ${found.runMiB} MiB (${check.reason}) after passing with ${found.leastMiB}: run.sh keeps ${fromMiB} MiB` });
    return { ...found, runMiB: fromMiB };
  }
  emit({ type: 'info', message: `least guest memory: ${found.leastMiB} MiB (${found.probes.length} boots); run.sh gives ${found.runMiB} MiB (+${found.marginPercent}%)` });
  return found;
}
