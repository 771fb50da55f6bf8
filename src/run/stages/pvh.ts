// The PVH stage: a result whose kernel has CONFIG_PVH (the microvm profile keeps it) is booted as its
// bzImage and as its uncompressed vmlinux, in turn; the faster beyond the noise is what the last
// re-checks, the memory search and the out dir's launch files boot.
import { comparePvh, type PvhBoot } from '../../search/pvh.js';
import { hasPvhEntry, storedVmlinux } from '../../tester/build.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

/** Boots per kernel file: the median of 5 and their spread decide. */
export const PVH_RUNS = 5;

export const pvhStage: StageStep<RunState> = {
  stage: 'pvh',
  skip: (s) => !hasPvhEntry(s.kernel.final.config),
  message: () => `booting the result's bzImage and its vmlinux (PVH entry) ${PVH_RUNS} times each, in turn; the faster beyond the noise ships`,
  run: async (s) => {
    const { evaluator, workspace } = s.ctx;
    if (s.plan.execution.workers?.length) {
      s.emit({ type: 'warning', message: 'no PVH comparison: workers boot bzImages only; the bzImage ships' });
      return;
    }
    if (!(await storedVmlinux(workspace.artifactDir(s.kernel.final.hash)))) {
      s.emit({ type: 'warning', message: `no PVH comparison: no vmlinux is stored for the result's kernel ${s.kernel.final.hash.slice(0, 12)}; the bzImage ships` });
      return;
    }
    s.emit({ type: 'tests-planned', tests: 2 * PVH_RUNS, parallel: 1 });
    const boot = async (kernel: 'bzImage' | 'vmlinux', label: string): Promise<PvhBoot> => {
      const verdict = await evaluator.rerun(s.kernel.final, s.cmdline.cmdline, label, kernel === 'vmlinux' ? { kernel } : undefined);
      return verdict.status === 'pass' && verdict.timing ? { passed: true, timing: verdict.timing } : { passed: false, reason: `${verdict.status}: ${verdict.reason}` };
    };
    s.pvh = await comparePvh({ runs: PVH_RUNS, boot, signal: s.options.signal });
    if (s.pvh.shipped === 'vmlinux') evaluator.useKernel('vmlinux');
    const { bzImage, vmlinux, shipped, detail } = s.pvh;
    const secs = (ms?: number) => (ms === undefined ? '?' : (ms / 1000).toFixed(2));
    s.emit({ type: 'info', message: `PVH: boot to the app ${secs(bzImage.medianAppMs)} s by the bzImage, ${secs(vmlinux.medianAppMs)} s by the vmlinux (${detail}): the ${shipped} ships` });
  },
};
