// The search stages: candidates (read from the Kconfig model, ordered by a kernel trace if asked), kernel-search, cmdline-search.
import path from 'node:path';
import { formatDotConfig } from '../../kconfig/dotconfig.js';
import { harnessNeeds } from '../../profile/harness.js';
import { planCandidates } from '../../search/candidates.js';
import { kernelTraceOrder } from '../../search/kernel-trace-order.js';
import { neededOptions } from '../../search/knowledge.js';
import { oneAtATimeReference } from '../../search/model-oracle.js';
import { searchCmdline, searchKernel } from '../../search/phases.js';
import { writeFileAtomic } from '../../util/fsx.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';
import { firstGuess, replanOf, scopeOf } from './guess.js';
import { readModel } from './model.js';


/** The app as the knowledge file names it: what a finished run records, and what finds that run again. */
const knowledgeApp = (s: RunState): string => path.resolve(s.app);

export const candidatesStage: StageStep<RunState> = {
  stage: 'candidates',
  message: () => 'reading the kernel\'s Kconfig and listing candidate options',
  run: async (s, clock) => {
    const { plan, emit } = s;
    const { profile } = plan.kernel;
    const { source, workspace, slotDirs } = s.ctx;
    s.model = plan.search.candidates ? s.earlyModel : await readModel(source.dir, plan.kernel.cache, emit, 'using the kernel\'s olddefconfig for every check');
    await writeFileAtomic(path.join(s.work, 'start.config'), formatDotConfig(s.start.config));
    s.candidatePlan = planCandidates(s.start.config, profile, s.model, { ...scopeOf(s), only: plan.search.candidates });
    s.candidates = plan.search.kernelTrace
      ? await kernelTraceOrder({
        work: s.work, start: s.start, initramfsSha256: s.initramfs.sha256, emit,
        tracing: () => clock.enter('kernel-trace', 'booting the start kernel once with QEMU logging the kernel code that runs'),
        input: {
          ...plan.boot, ...plan.test, qemu: profile.qemu, tests: s.tests,
          slotDirs, start: s.start.config, candidates: s.candidatePlan.candidates, model: s.model, srcDir: source.dir,
          bzImage: path.join(workspace.artifactDir(s.start.hash), 'bzImage'), initramfs: s.initramfs.file,
          logDir: path.join(s.work, 'logs', 'kernel-trace'), signal: s.options.signal,
        },
      })
      : s.candidatePlan.candidates;
    if (s.previous && s.model) {
      const known = new Set(s.model.symbolNames());
      const gone = [...s.previous.config].filter(([name, value]) => value !== 'n' && !known.has(name)).map(([name]) => name);
      if (gone.length) emit({ type: 'info', message: `${gone.length} option${gone.length === 1 ? '' : 's'} of --from's config ${gone.length === 1 ? 'is' : 'are'} not in kernel ${source.version}: ${gone.join(', ')}` });
    }
    s.guess = await firstGuess(plan, s.previous, emit, {
      used: s.needs?.usedOptions, reachable: s.needs?.reachableOptions, candidates: new Set(s.candidates.map((c) => c.name)),
      ...(plan.pack.source.kind === 'app' ? { app: knowledgeApp(s), kernelVersion: source.version } : {}),
    });
  },
};

export const kernelSearchStage: StageStep<RunState> = {
  stage: 'kernel-search',
  message: (s) => `searching ${s.candidates.length} candidate options (${s.plan.search.strategy})`,
  run: async (s) => {
    const { plan, emit, model } = s;
    const { profile } = plan.kernel;
    const scope = scopeOf(s);
    s.kernel = await searchKernel({
      evaluator: s.ctx.evaluator, start: s.start, cmdline: plan.boot.cmdline, candidates: s.candidates, isNoop: s.candidatePlan.isNoop, strategy: plan.search.strategy,
      parallel: s.ctx.slots, signal: s.options.signal, emit, guess: s.guess, monotone: plan.search.assumeMonotone,
      replan: replanOf(s), preview: model && ((config) => model.resolve(config)),
    });
    // What a finished run teaches: each kept candidate that failed when removed (not the forced or growing ones).
    s.learned = { app: knowledgeApp(s), kernelVersion: s.ctx.source.version, finishedAt: new Date().toISOString(), needed: neededOptions(s.kernel.kept, s.kernel.noops, s.kernel.reasons) };
    // The comparison the report leads with: the classic loop on the same start, judged by the model with what this run found needed.
    const needed = s.learned.needed.map((n) => n.option);
    if (model) emit({ type: 'info', message: 'counting the builds the classic one-at-a-time loop would need on the same start (the Kconfig model judging by what this run found needed)' });
    s.oneAtATimeBuilds = model
      ? await oneAtATimeReference({
        model, profile, start: s.start.config, ...scope,
        required: [...needed, ...harnessNeeds(profile, scope.network, scope.compression, scope.disks)], only: plan.search.candidates,
      })
      : undefined;
  },
};

export const cmdlineSearchStage: StageStep<RunState> = {
  stage: 'cmdline-search',
  message: () => 'searching boot options',
  run: async (s) => {
    const { boot, search, kernel } = s.plan;
    s.cmdline = search.keepCmdline
      ? { cmdline: boot.cmdline, removed: [] }
      : await searchCmdline({
        evaluator: s.ctx.evaluator, config: s.kernel.final, cmdline: boot.cmdline, keep: kernel.profile.boot.keep,
        strategy: search.cmdlineStrategy, parallel: s.ctx.slots, signal: s.options.signal,
      });
  },
};
