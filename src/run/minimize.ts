// The minimize pipeline, as a list of stages: inputs -> deps -> initramfs -> syscalls -> start config -> candidates -> first guess -> sanity (when the guess fails) -> rootfs -> kernel search -> values (with --values) -> cmdline search -> boot speedups (with --boot-speedups) -> PVH (a kernel with CONFIG_PVH) -> verify -> memory -> compression -> output.
import { isWorthKeeping } from '../deps/strace.js';
import { isTinyxError } from '../errors.js';
import type { OutLock } from '../output/lock.js';
import type { EventListener } from '../search/events.js';
import { SeriesCollector } from '../search/series.js';
import type { MinimizeOptions } from './options.js';
import type { MinimizeResult } from './result.js';
import { runStages, StageClock, type StageStep } from './runner.js';
import { RunState } from './state.js';
import { compressionStage, memoryStage, outputStage, verifyStage } from './stages/finish.js';
import { depsStage, initramfsStage, inputsStage } from './stages/prepare.js';
import { candidatesStage, cmdlineSearchStage, kernelSearchStage } from './stages/search.js';
import { syscallsStage } from './stages/calls.js';
import { valuesStage } from './stages/values.js';
import { bootSpeedStage } from './stages/boot-speed.js';
import { pvhStage } from './stages/pvh.js';
import { firstGuessStage } from './stages/guess.js';
import { earlySanityStage, rootfsStage, sanityStage, startConfigStage } from './stages/start.js';

export type { MinimizeOptions } from './options.js';
export type { MinimizeResult, StageTime } from './result.js';

/** The stages in order; the inputs stage takes the out dir's lock into `held`. */
function pipeline(held: { lock?: OutLock }): StageStep<RunState>[] {
  return [
    inputsStage(held), depsStage, initramfsStage, syscallsStage,
    startConfigStage, earlySanityStage, candidatesStage, firstGuessStage, sanityStage, rootfsStage,
    kernelSearchStage, valuesStage, cmdlineSearchStage, bootSpeedStage, pvhStage,
    verifyStage, memoryStage, compressionStage, outputStage,
  ];
}

/**
 * Runs the pipeline into `options.out` and writes the result there, holding the out dir's lock from
 * the end of the inputs stage (or the caller's, `options.outLock`) until the result is written.
 */
export async function minimize(options: MinimizeOptions): Promise<MinimizeResult> {
  try {
    return await runOnce(options);
  } catch (error) {
    const retry = traceRetry(error, options);
    if (!retry) throw error;
    options.onEvent?.({ type: 'warning', message: retry });
    return runOnce({ ...options, trace: true });
  }
}

/**
 * The start VM missed a file that the host (or the image) has and a trace would add, and the run
 * neither traced nor was told not to: the message that says so, for one more run with --trace,
 * which adds the files the app opens. Otherwise undefined.
 */
export function traceRetry(error: unknown, options: Pick<MinimizeOptions, 'trace' | 'noTrace' | 'image'>): string | undefined {
  if (options.trace || options.noTrace || !isTinyxError(error, 'TINYX_START_FAILS')) return undefined;
  const { kind, path, available } = error.details ?? {};
  // A file the trace would not add (under /tmp, /run, a home...) is no reason to trace.
  if (kind !== 'missing-file' || !path || available !== 'yes' || !isWorthKeeping(path)) return undefined;
  return `the start VM misses ${path}, which ${options.image ? 'the image' : 'this host'} has: tracing the app (--trace) and trying once more (--no-trace: never)`;
}

async function runOnce(options: MinimizeOptions): Promise<MinimizeResult> {
  const held: { lock?: OutLock } = {};
  const series = new SeriesCollector();
  const listener: EventListener = options.onEvent ?? (() => undefined);
  const emit: EventListener = (event) => {
    series.listen(event);
    listener(event);
  };
  const state = new RunState(options, emit, series);
  try {
    await runStages(pipeline(held), state, new StageClock(emit, options.signal));
    return state.result;
  } finally {
    await state.context?.close();
    if (!options.outLock) await held.lock?.release();
  }
}
