// The boot-speed search (--boot-speedups): the profile's boot.speedups added to the searched command line, each kept when the result's boots pass faster with it.
import { searchBootSpeedups, type BootSample } from '../../search/boot-speed.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

/** Boots per command line: the median of 5 and their spread decide. */
export const BOOT_SPEED_RUNS = 5;

export const bootSpeedStage: StageStep<RunState> = {
  stage: 'boot-speed',
  skip: (s) => s.plan.search.bootSpeedups !== true,
  message: () => `adding the profile's boot speedups one at a time, each kept when ${BOOT_SPEED_RUNS} boots with it pass faster`,
  run: async (s) => {
    const { speedups } = s.plan.kernel.profile.boot;
    if (!speedups.length) {
      s.emit({ type: 'warning', message: `no boot speedups tried: the profile ${s.plan.kernel.profile.name} lists none (boot.speedups)` });
      return;
    }
    const { evaluator } = s.ctx;
    s.emit({ type: 'tests-planned', tests: (speedups.length + 1) * BOOT_SPEED_RUNS, parallel: 1 });
    const measure = async (cmdline: string, label: string): Promise<BootSample> => {
      const ms: number[] = [];
      for (let run = 1; run <= BOOT_SPEED_RUNS; run++) {
        s.options.signal?.throwIfAborted();
        const verdict = await evaluator.rerun(s.kernel.final, cmdline, `${label} ${run}/${BOOT_SPEED_RUNS}`);
        if (verdict.status !== 'pass') return { passed: false, reason: `${verdict.status}: ${verdict.reason}`, ms };
        ms.push(verdict.timing?.appMs ?? verdict.bootMs);
      }
      return { passed: true, reason: '', ms };
    };
    s.bootSpeed = await searchBootSpeedups({ cmdline: s.cmdline.cmdline, speedups, runs: BOOT_SPEED_RUNS, measure, signal: s.options.signal });
    s.cmdline = { ...s.cmdline, cmdline: s.bootSpeed.cmdline };
    const { added, fromMs, toMs, trials } = s.bootSpeed;
    s.emit({
      type: 'info',
      message: added.length
        ? `boot speedups added: ${added.join(' ')}; boot to the app ${(fromMs / 1000).toFixed(2)} -> ${(toMs / 1000).toFixed(2)} s (median of ${BOOT_SPEED_RUNS})`
        : `no boot speedup added: ${trials.length} tried, none faster beyond the noise`,
    });
  },
};
