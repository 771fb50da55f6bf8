// The stages around the start config: start-config (the run context opens), sanity (it must pass, when it is built), rootfs (files left out and stripped on the first kernel that passed).
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { packPlanned, writeDiskRoot } from '../../packager/initramfs.js';
import { keepingOptions } from '../../plan/plan.js';
import { probeBootTimeoutMs } from '../../plan/timeouts.js';
import { makeStartConfig } from '../../profile/start-config.js';
import { packRoot } from '../../search/compression.js';
import { openSearchContext } from '../../search/context.js';
import { prunedLine, reduceRootfs, type ReducedRootfs, type RootfsReduction } from '../../search/rootfs.js';
import { writeFileAtomic } from '../../util/fsx.js';
import { callsNeeding, optionsNeeded } from '../../syscalls/needs.js';
import { sha256 } from '../../util/hash.js';
import type { StageStep } from '../runner.js';
import { startFailsError } from './start-fails.js';
import { disksOf } from './guess.js';
import type { RunState } from '../state.js';

export const startConfigStage: StageStep<RunState> = {
  stage: 'start-config',
  message: (s) => `making the start config (${s.plan.kernel.profile.kernel.base} + profile ${s.plan.kernel.profile.name})`,
  run: async (s) => {
    s.context = await openSearchContext({ plan: s.plan, out: s.out, signal: s.options.signal, initramfs: s.initramfs, volumes: s.volumes, emit: s.emit }, s.kernelTree);
    const { tool, journal } = s.context;
    const needed = s.needs ? optionsNeeded(s.needs) : [];
    const start = await makeStartConfig(tool, s.plan.kernel.profile, s.initramfs.compression, needed, disksOf(s));
    for (const name of start.unmet) s.emit({ type: 'warning', message: `profile option ${name} did not stick in the start config` });
    if (start.added.length) s.emit({ type: 'info', message: `start config: + ${start.added.map((n) => `${n} (${whyNeeded(s, n)})`).join(', ')}: the app's calls need ${start.added.length === 1 ? 'it' : 'them'} and the profile leaves ${start.added.length === 1 ? 'it' : 'them'} off` });
    if (s.plan.search.keepReachable) s.plan = keepingOptions(s.plan, needed.filter((n) => start.config.get(n) === 'y'));
    if (journal.size > 0) s.emit({ type: 'info', message: `resuming: ${journal.size} verdicts in ${journal.file}` });
    s.startConfig = start;
    s.start = await s.ctx.evaluator.normalize(start.config);
  },
};

/** Which calls (or features) need an option, the traced ones first, for a log line. */
function whyNeeded(s: RunState, option: string): string {
  const why = s.needs ? callsNeeding(s.needs, option) : [];
  return why.length > 3 ? `${why.slice(0, 3).join(', ')}, ...` : why.join(', ');
}

/**
 * The start config, built and booted: it must pass before anything is removed. It runs only when
 * the first guess failed or there was none (a passing guess proves the app and the tests work on
 * a smaller kernel, so the largest build of the run is never paid for), and before the candidates
 * with a kernel trace, which boots the start kernel (`earlySanityStage`).
 */
export const sanityStage: StageStep<RunState> = {
  stage: 'sanity',
  skip: (s) => s.reference !== undefined,
  message: () => 'building and booting the start config (it must pass before anything is removed)',
  run: async (s) => {
    const v = await s.ctx.evaluator.evaluate(s.start, s.plan.boot.cmdline, 'start');
    s.startVerdict = v;
    if (v.status === 'pass') s.reference = { kind: 'start', config: s.start, verdict: v };
    else {
      const { compression, bytes, uncompressedBytes, disk } = s.initramfs;
      const image = s.image?.unpacked.rootfs;
      const hostHas = image ? (file: string) => existsSync(path.join(image, file)) : existsSync;
      throw await startFailsError(v, { initKind: s.init.kind, memory: s.ctx.memory, initramfs: { compression, bytes, uncompressedBytes, ...(disk ? { disk } : {}) }, hostHas }, s.work);
    }
  },
};

/** The sanity stage before the candidates: only with a kernel trace, which boots the start kernel to order them. */
export const earlySanityStage: StageStep<RunState> = { ...sanityStage, skip: (s) => !s.plan.search.kernelTrace };

export const rootfsStage: StageStep<RunState> = {
  stage: 'rootfs',
  skip: (s) => !s.plan.pack.prune && !s.plan.pack.strip,
  message: (s) => `leaving out the files the tests pass without and stripping the ELF files they pass without symbols (boots of the ${s.reference.kind === 'guess' ? 'first guess\'s' : 'start'} kernel, no build)`,
  run: async (s) => {
    const reduced = await reduceRunRootfs(s);
    let rootfs = reduced.report;
    if (reduced.omit.size || reduced.replace.size) {
      const before = s.initramfs.bytes;
      // The same compressor (the start kernel unpacks it); `initramfsSizes` stays what the choice was made from.
      s.packed = packPlanned(s.planned, reduced.omit, reduced.replace);
      const repacked = await packRoot({ ...s.compressionPlan, asked: s.initramfs.compression }, s.packed, s.scratch, s.emit, s.initramfs.disk === true, s.options.signal);
      s.initramfs = repacked.initramfs;
      s.otherInitramfs = repacked.others;
      s.ctx.evaluator.useInitramfs({ file: s.initramfs.file, sha256: s.initramfs.sha256 });
      rootfs = { ...rootfs, initramfsBytes: { before, after: s.initramfs.bytes } };
    }
    s.rootfs = rootfs;
    s.emit({ type: 'info', message: rootfsSummary(rootfs) });
  },
};

/**
 * The rootfs stage's search: each test packs the archive uncompressed (the kernel unpacks a plain
 * cpio whatever its RD_ options, and no compressor runs per boot), or for a disk root writes its
 * squashfs image at the fast level, and boots it on the first kernel that passed (the first
 * guess's, else the start's).
 * A rootfs without something the init needs often never starts the app, so its boots get the
 * probes' shorter boot timeout (probeBootTimeoutMs).
 */
async function reduceRunRootfs(s: RunState): Promise<ReducedRootfs> {
  const { evaluator, slots } = s.ctx;
  const { pack, search, boot } = s.plan;
  const bootTimeoutMs = probeBootTimeoutMs(s.reference.verdict.timing?.appMs);
  let tried = 0;
  return reduceRootfs({
    planned: s.planned, appGuestPath: s.manifest.app.guestPath, keepFiles: [...pack.keepFiles], prune: pack.prune, strip: pack.strip,
    strategy: search.strategy, parallel: slots, signal: s.options.signal,
    info: (message) => s.emit({ type: 'info', message }),
    test: async (archive, label) => {
      const file = path.join(s.scratch, 'rootfs', `${String(++tried).padStart(4, '0')}.${s.initramfs.disk ? 'squashfs' : 'cpio'}`);
      let sha: string;
      if (s.initramfs.disk) {
        await mkdir(path.dirname(file), { recursive: true });
        sha = (await writeDiskRoot(archive, s.initramfs.compression, file, true, s.options.signal)).sha256;
      } else {
        sha = sha256(archive.archive);
        await writeFileAtomic(file, archive.archive);
      }
      try {
        return (await evaluator.evaluate(s.reference.config, boot.cmdline, label, { initramfs: { file, sha256: sha }, bootTimeoutMs })).status === 'pass';
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
