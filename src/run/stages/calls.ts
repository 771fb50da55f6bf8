// The syscalls stage: what the app's binaries can call (and, with --trace, did call), and the kernel options those calls need.
import { readAppNeeds } from '../../syscalls/app.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

export const syscallsStage: StageStep<RunState> = {
  stage: 'syscalls',
  message: () => 'reading what the app\'s binaries can call, and which kernel options those calls need (from the kernel tree)',
  run: async (s) => {
    // The calls are evidence beside the tests, never needed to run: a file the analysis cannot read leaves the run without it.
    const needs = await readAppNeeds(s.manifest, s.kernelTree.source.dir, s.plan.kernel.cache, s.options.signal).catch((error: unknown) => {
      if (s.options.signal?.aborted) throw error;
      s.emit({ type: 'warning', message: `what the app can call is not known (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the start config is the profile's alone` });
      return undefined;
    });
    if (!needs) return;
    s.needs = needs;
    const { reachable, reachableOptions, traced, usedOptions } = s.needs;
    s.emit({ type: 'info', message: `the app's binaries can reach ${reachable.size} syscalls, which need ${reachableOptions.size} options${traced ? `; the trace saw ${traced.length} calls, which need ${usedOptions.size}` : ''}` });
  },
};
