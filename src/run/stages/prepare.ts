// The stages before any kernel: inputs (checked up front), deps (the app's closure), initramfs (packed and compressed).
import path from 'node:path';
import { resolveApp } from '../../deps/index.js';
import { hostStrace } from '../../deps/host-strace.js';
import { packPlanned, planArchive } from '../../packager/initramfs.js';
import { checkStrip } from '../../packager/strip.js';
import { chooseInit } from '../../packager/init-kind.js';
import { lockOut } from '../../output/lock.js';
import { checkCandidateNames } from '../../search/candidates.js';
import { compressInitramfs, planCompression } from '../../search/compression.js';
import { openKernel } from '../../search/context.js';
import { checkApp, checkOut, checkTests, checkTools } from '../../search/inputs.js';
import { readPrevious } from '../../search/previous.js';
import { getStrategy } from '../../search/strategies/index.js';
import { launchTargets } from '../../vm/targets.js';
import { hostFacts } from '../../plan/host.js';
import { makePlan } from '../../plan/plan.js';
import type { OutLock } from '../../output/lock.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';
import { readModel } from './model.js';

/** Every input checked before anything is built, then the out dir's lock (`held`, for the caller to release) and the kernel tree. */
export function inputsStage(held: { lock?: OutLock }): StageStep<RunState> {
  return {
    stage: 'inputs',
    message: () => 'checking inputs',
    run: async (s) => {
      s.plan = makePlan(s.options, hostFacts());
      const { plan, options, emit } = s;
      const { profile } = plan.kernel;
      ({ file: s.app, entry: s.entry } = await checkApp(plan.pack.app, plan.pack.entry));
      s.tests = await checkTests(plan.test.tests);
      s.out = await checkOut(options.out);
      getStrategy(plan.search.strategy);
      getStrategy(plan.search.cmdlineStrategy);
      launchTargets(profile.vm.targets);
      await checkTools();
      if (plan.pack.strip) await checkStrip();
      s.compressionPlan = await planCompression(options);
      s.previous = plan.search.from ? await readPrevious(plan.search.from) : undefined;
      s.work = path.join(s.out, '.work');
      held.lock = options.outLock ?? await lockOut(s.out, (message) => emit({ type: 'info', message }));
      s.scratch = held.lock.scratch;
      s.kernelTree = await openKernel(plan.kernel);
      const { source: tree } = s.kernelTree;
      emit({ type: 'info', message: `kernel ${tree.version}: ${tree.dir} (${tree.chosenBy})` });
      for (const note of tree.notes) emit({ type: 'info', message: note });
      if (s.previous?.kernelVersion && s.previous.kernelVersion !== tree.version) {
        emit({ type: 'info', message: `kernel changed: ${s.previous.kernelVersion} -> ${tree.version} (--from's result ran on ${s.previous.kernelVersion}; its options are the first guess, by name)` });
      }
      // With --candidates the model is read now, so a misspelled name is refused before any build.
      if (plan.search.candidates) {
        s.earlyModel = await readModel(tree.dir, plan.kernel.cache, emit, '--candidates names are not checked before the build, and the kernel\'s olddefconfig does every check');
        if (s.earlyModel) checkCandidateNames(plan.search.candidates, s.earlyModel.symbolNames());
      }
    },
  };
}

export const depsStage: StageStep<RunState> = {
  stage: 'deps',
  message: (s) => `resolving the runtime closure of ${path.basename(s.app)}`,
  run: async (s) => {
    const { pack, test } = s.plan;
    s.manifest = await resolveApp(s.app, {
      entry: s.entry, include: pack.include, exclude: pack.exclude, includePackages: pack.includePackages, outDir: s.out, keepSetuid: pack.keepSetuid,
      strace: pack.trace ? hostStrace({ ...pack, port: pack.network?.guestPort, testTimeoutMs: test.testTimeoutMs, signal: s.options.signal }, s.tests) : undefined,
    });
  },
};

export const initramfsStage: StageStep<RunState> = {
  stage: 'initramfs',
  message: () => 'packing the initramfs',
  run: async (s) => {
    const { pack } = s.plan;
    s.init = await chooseInit(pack.init, s.manifest);
    s.emit({ type: 'info', message: `init: ${s.init.kind} (${s.init.reason})` });
    s.planned = await planArchive({
      manifest: s.manifest,
      init: { appGuestPath: s.manifest.app.guestPath, appArgs: pack.appArgs, network: pack.network, env: pack.env, cwd: pack.cwd, user: pack.user, kind: s.init.kind },
    });
    const packed = await compressInitramfs(s.compressionPlan, packPlanned(s.planned), s.scratch, s.emit);
    s.initramfsSizes = packed.sizes;
    s.initramfs = packed.initramfs;
    s.otherInitramfs = packed.others;
  },
};
