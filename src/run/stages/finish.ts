// The stages after the search: verify (the result booted again), memory (the least it passes with), compression (the others, for the report), output.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../../errors.js';
import { callsReport } from '../../output/calls-section.js';
import { writeOutput } from '../../output/write.js';
import { probeBootTimeoutMs } from '../../plan/timeouts.js';
import { runJson } from '../../plan/record.js';
import { compareCompressions, shipDiskRoot, shipInitramfs, smallerThanShipped } from '../../search/compression.js';
import { knowledgeFile, recordKnowledge } from '../../search/knowledge.js';
import { leastMemory, parseMiB } from '../../search/memory.js';
import { withStoredSizes } from '../../search/series.js';
import type { Guess } from '../../search/guess.js';
import type { KernelSearchResult } from '../../search/phases.js';
import type { Verdict } from '../../tester/verdict.js';
import { medianTiming } from '../../search/boot-speed.js';
import { requestOf } from '../options.js';
import { outputRecordOf } from '../output-record.js';
import type { ImageReport } from '../../output/image-section.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

export const verifyStage: StageStep<RunState> = {
  stage: 'verify',
  message: (s) => `booting the result ${s.plan.search.finalRuns === 1 ? 'once more' : `${s.plan.search.finalRuns} more times`}`,
  run: async (s) => {
    const { finalRuns, keepMemory } = s.plan.search;
    const { evaluator, journal } = s.ctx;
    if (s.initramfs.plain) {
      // The tests booted the large root uncompressed; what ships, and what the last boots take, is compressed once now.
      const began = Date.now();
      const what = s.initramfs.disk ? 'disk root' : 'initramfs';
      s.emit({ type: 'info', message: `${what}: compressing the final root once with ${s.initramfs.compression}${s.initramfs.disk ? ' at the shipped level' : ''} (${(s.initramfs.uncompressedBytes / 2 ** 20).toFixed(1)} MiB)` });
      s.initramfs = s.initramfs.disk ? await shipDiskRoot(s.packed, s.initramfs, s.scratch, s.options.signal) : await shipInitramfs(s.initramfs, s.scratch);
      evaluator.useInitramfs({ file: s.initramfs.file, sha256: s.initramfs.sha256 });
      s.emit({ type: 'info', message: `${what}: the final root compressed once with ${s.initramfs.compression}: ${s.initramfs.uncompressedBytes} -> ${s.initramfs.bytes} bytes in ${((Date.now() - began) / 1000).toFixed(1)} s` });
    }
    const verdicts: Verdict[] = [];
    for (let run = 1; run <= finalRuns; run++) {
      // The last re-check's volumes are kept: what the tests wrote, for the out dir.
      const keep = run === finalRuns && s.volumes.length ? path.join(s.scratch, 'volumes-tested') : undefined;
      const verdict = await evaluator.rerun(s.kernel.final, s.cmdline.cmdline, `final ${run}/${finalRuns}`, keep ? { keepVolumes: keep } : undefined);
      verdicts.push(verdict);
      s.finalVerdict = verdict;
      if (verdict.status !== 'pass') {
        // Failures lean to keeping, so this VM passed when it was found and fails now: a pass during
        // the search was luck. Re-running the same --out replays those verdicts and ends here again.
        throw new TinyxError('TINYX_FINAL_FAILS', `The minimized VM passed during the search but failed re-check ${run} of ${finalRuns} (${verdict.status}: ${verdict.reason}): the tests are flaky on it.`, {
          advice: `Logs: ${verdict.consoleLog ?? s.work}. Make the tests deterministic (or give them more time: --test-timeout, --boot-timeout), then start afresh: a new --out, or delete ${journal.file}, since this journal holds the lucky pass.`,
        });
      }
    }
    s.finalTiming = medianTiming(verdicts.map((v) => v.timing));
    const memory = s.ctx.memory;
    s.memoryFromMiB = parseMiB(memory);
    if (!keepMemory && s.memoryFromMiB === undefined) {
      s.emit({ type: 'warning', message: `no memory search: the profile's qemu.memory "${memory}" is not a plain size in MiB` });
    }
  },
};

/**
 * The least guest memory the final VM passes with, then one boot with what run.sh will give it. A
 * probe that has too little memory often hangs before the console prints anything, so probes get
 * the shorter boot timeout (probeBootTimeoutMs).
 */
export const memoryStage: StageStep<RunState> = {
  stage: 'memory',
  skip: (s) => s.plan.search.keepMemory === true || s.memoryFromMiB === undefined,
  message: (s) => `finding the least guest memory the result passes with (from ${s.memoryFromMiB} MiB, about ${Math.ceil(Math.log2(s.memoryFromMiB!))} boots)`,
  run: async (s) => {
    const fromMiB = s.memoryFromMiB!;
    const bootTimeoutMs = probeBootTimeoutMs(s.finalTiming?.appMs);
    const probe = async (mib: number) => {
      const verdict = await s.ctx.evaluator.evaluate(s.kernel.final, s.cmdline.cmdline, `memory ${mib} MiB`, { memory: `${mib}M`, bootTimeoutMs });
      return { passed: verdict.status === 'pass', reason: `${verdict.status}: ${verdict.reason}` };
    };
    const found = await leastMemory(probe, fromMiB);
    const check = await probe(found.runMiB);
    if (!check.passed) {
      s.emit({ type: 'warning', message: `the result failed with ${found.runMiB} MiB (${check.reason}) after passing with ${found.leastMiB}: run.sh keeps ${fromMiB} MiB` });
      s.memory = { ...found, runMiB: fromMiB };
      return;
    }
    s.emit({ type: 'info', message: `least guest memory: ${found.leastMiB} MiB (${found.probes.length} boots); run.sh gives ${found.runMiB} MiB (+${found.marginPercent}%)` });
    s.memory = found;
  },
};

/** Always run (the shipped VM's row is the report's); a stage of its own only when there are other compressions to build and boot. */
export const compressionStage: StageStep<RunState> = {
  stage: 'compression',
  quiet: (s) => s.otherInitramfs.length === 0,
  message: (s) => `building and booting the result with ${s.otherInitramfs.map((o) => o.compression).join(', ')} instead of ${s.initramfs.compression} (kernel and initramfs), for the report`,
  run: async (s) => {
    const { workspace, evaluator } = s.ctx;
    const { initramfs } = s;
    const rows = await compareCompressions({
      evaluator, final: s.kernel.final, cmdline: s.cmdline.cmdline, others: s.otherInitramfs,
      shipped: { initramfs, bzImageBytes: await fileBytes(path.join(workspace.artifactDir(s.kernel.final.hash), 'bzImage')) ?? 0, boot: s.finalTiming },
      bzImageBytes: async (hash, verdict) => (await fileBytes(path.join(workspace.artifactDir(hash), 'bzImage'))) ?? verdict.bzImageBytes,
    });
    const smaller = smallerThanShipped(rows);
    s.compression = { asked: s.compressionPlan.asked, used: initramfs.compression, initramfs: s.initramfsSizes, rows, ...(smaller ? { smaller } : {}) };
    if (smaller) s.emit({ type: 'info', message: `the VM with ${smaller.compression} is ${smaller.savedBytes} bytes smaller in total; ${smaller.flag} searches with it` });
  },
};

export const outputStage: StageStep<RunState> = {
  stage: 'output',
  message: (s) => `writing ${s.out}`,
  run: async (s, clock) => {
    const { source: tree, workspace, evaluator, tool } = s.ctx;
    const { plan, initramfs, start, kernel } = s;
    const bzImage = (hash: string) => path.join(workspace.artifactDir(hash), 'bzImage');
    const base = {
      request: requestOf(s.options), plan, ...(s.image ? { image: imageReport(s) } : {}),
      ...(s.needs ? { calls: callsReport({ ...s.needs, startAdded: s.startConfig.added, removed: kernel.removed, keepReachable: plan.search.keepReachable === true }) } : {}), kernelVersion: tree.version, kernelTree: tree.key, kernelSource: tree.identity, accel: await s.ctx.accel(),
      // Not built when the first guess passed; its kernel is still compared when an earlier run stored it.
      start: { config: start.config, ...(s.startVerdict ? { verdict: s.startVerdict } : {}), ...(s.startVerdict || await fileBytes(bzImage(start.hash)) !== undefined ? { bzImage: bzImage(start.hash) } : {}) },
      final: {
        config: kernel.final.config, verdict: s.finalVerdict, bzImage: bzImage(kernel.final.hash), cmdline: s.cmdline.cmdline,
        ...(s.pvh?.shipped === 'vmlinux' ? { vmlinux: path.join(workspace.artifactDir(kernel.final.hash), 'vmlinux') } : {}),
      },
      kernel: withKeptFor(kernel, s.guess), cmdlineRemoved: s.cmdline.removed,
      initramfs: {
        file: initramfs.file, compression: initramfs.compression, bytes: initramfs.bytes, uncompressedBytes: initramfs.uncompressedBytes, entries: initramfs.entries, parts: initramfs.parts,
        ...(initramfs.disk ? { disk: true as const } : {}),
      },
      volumes: s.volumes.map((v) => ({ host: v.host, guest: v.guest, device: v.device, file: v.file, seed: v.image, tested: path.join(s.scratch, 'volumes-tested', v.file) })),
      searchSeries: await withStoredSizes(s.series.series(s.began), bzImage),
      manifest: s.manifest, init: s.init, evaluations: evaluator.evaluations, builds: evaluator.builds, flaky: evaluator.flaky,
      wallSeconds: (Date.now() - s.began) / 1000, stages: clock.times(),
      workerEvents: s.ctx.poolEvents, oneAtATimeBuilds: s.oneAtATimeBuilds, ...(s.values ? { values: s.values } : {}), ...(s.bootSpeed ? { bootSpeed: s.bootSpeed } : {}), ...(s.pvh ? { pvh: s.pvh } : {}), memory: s.memory, guestMemory: s.ctx.memory, compression: s.compression, rootfs: s.rootfs,
      boot: { start: s.startVerdict?.timing, final: s.finalTiming },
    };
    // While the context is open: savedefconfig runs in the kconfig scratch dir that closing removes.
    const app = plan.pack.source.kind === 'app' ? { app: s.app, entry: s.entry } : { app: undefined, entry: undefined };
    const run = runJson({ ...s.options, ...app, tests: s.tests, port: plan.boot.network?.guestPort ?? 0 }, { version: tree.version, tree: tree.key, ...(tree.package ? { package: tree.package } : {}) }, { asked: s.compressionPlan.asked, used: initramfs.compression });
    const output = await outputRecordOf(base, tool, run);
    await writeOutput(output, s.out);
    // Only a full search that got this far teaches the next run's first guess (a --candidates list searched only its own).
    if (!plan.search.candidates) await recordKnowledge(knowledgeFile(plan.kernel.cache, plan.kernel.profile.name), plan.kernel.profile.name, s.learned)
      .catch((error: unknown) => s.emit({ type: 'warning', message: `the knowledge file was not updated: ${error instanceof Error ? error.message : String(error)}` }));
    s.result = { ...base, output };
  },
};

/** A file's size, or undefined when it is not there (a kernel built on a worker and not fetched). */
async function fileBytes(file: string): Promise<number | undefined> {
  return stat(file).then((st) => st.size, () => undefined);
}

/** The image beside the VM, for the report. */
function imageReport(s: RunState): ImageReport {
  const { unpacked, run } = s.image!;
  const { source } = s.plan.pack;
  return {
    ref: source.kind === 'image' ? source.image : '', format: unpacked.format, platform: unpacked.platform, configDigest: unpacked.configDigest,
    layersBytes: unpacked.sizes.layers, unpackedBytes: unpacked.sizes.unpacked, whole: source.kind === 'image' && source.whole,
    run: { argv: run.argv, workingDir: run.workingDir, user: run.user.name ?? `${run.user.uid}:${run.user.gid}`, ...(s.plan.boot.network ? { port: s.plan.boot.network.guestPort } : {}) },
    unhonoured: run.unhonoured, notes: [...unpacked.notes, ...run.notes],
  };
}

/** The guess's record with why it kept each candidate it kept (the runs that needed it, the --trace run's calls), for the report. */
function withKeptFor(kernel: KernelSearchResult, guess: Guess | undefined): KernelSearchResult {
  if (!kernel.guess || !guess) return kernel;
  return { ...kernel, guess: { ...kernel.guess, keptFor: Object.fromEntries(kernel.guess.kept.map((n) => [n, [...(guess.keep.get(n) ?? [])]])) } };
}
