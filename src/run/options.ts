// The run group of what `minimize()` is asked to do (where it writes, its lock, who listens), and every group at once.
import type { OutLock } from '../output/lock.js';
import type { AppOptions, ExecutionOptions, HarnessOptions, KernelOptions, SearchOptions } from '../plan/request.js';
import type { EventListener } from '../search/events.js';
import type { RunRequest } from '../plan/plan.js';

/** The run itself: where it writes, how it is stopped, who listens to it. */
export interface RunOptions {
  out: string;
  /** The out dir's lock when the caller holds it already (a fleet run, for the whole app): the run takes none of its own. */
  outLock?: OutLock;
  signal?: AbortSignal;
  onEvent?: EventListener;
}

/** The groups by name (the CLI's flag definitions say which group each flag feeds). */
export interface MinimizeOptionGroups {
  app: AppOptions;
  harness: HarnessOptions;
  kernel: KernelOptions;
  search: SearchOptions;
  execution: ExecutionOptions;
  run: RunOptions;
}

/** Every group at once, flat: `minimize({ app, tests, port, profile, out, ... })`. */
export type MinimizeOptions = AppOptions & HarnessOptions & KernelOptions & SearchOptions & ExecutionOptions & RunOptions;

/** The request in `options`: everything but the run group (out dir, lock, signal, listener). */
export function requestOf(options: MinimizeOptions): RunRequest {
  const request: Partial<MinimizeOptions> = { ...options };
  for (const key of ['out', 'outLock', 'signal', 'onEvent'] as const) delete request[key];
  return request as RunRequest;
}
