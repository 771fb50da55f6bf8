// The stage runner: runs a declared list of stages in order and owns their timing, the abort check between them and their events.
import { interruptedError } from '../errors.js';
import type { EventListener, Stage } from '../search/events.js';
import type { StageTime } from './result.js';

/** One stage of a pipeline over the state `S`, which earlier stages filled. */
export interface StageStep<S> {
  stage: Stage;
  /** Skipped when this holds: no event, no time of its own. */
  skip?: (state: S) => boolean;
  /** Runs, but as part of the stage before it (no event, its time counted there) when this holds. */
  quiet?: (state: S) => boolean;
  /** The line the progress display shows for it. */
  message: (state: S) => string;
  run: (state: S, clock: StageClock) => Promise<void>;
}

/** Which stage a run is in and since when; every stage change goes through `enter`. */
export class StageClock {
  private readonly done: StageTime[] = [];
  private current: Stage | undefined;
  private since = Date.now();

  constructor(private readonly emit: EventListener, private readonly signal?: AbortSignal) {}

  /** Ends the current stage and starts `next`. Ctrl-C or SIGTERM stops a run here too, not only between candidates. */
  enter(next: Stage, message: string): void {
    if (this.signal?.aborted) throw interruptedError();
    if (this.current) this.done.push({ stage: this.current, seconds: (Date.now() - this.since) / 1000 });
    this.current = next;
    this.since = Date.now();
    this.emit({ type: 'stage', stage: next, message });
  }

  /** The stages so far, the current one (the last, which writes them) counted as 0 s. */
  times(): StageTime[] {
    return [...this.done, ...(this.current ? [{ stage: this.current, seconds: 0 }] : [])];
  }
}

/** Runs `steps` in order on `state`. */
export async function runStages<S>(steps: readonly StageStep<S>[], state: S, clock: StageClock): Promise<void> {
  for (const step of steps) {
    if (step.skip?.(state)) continue;
    if (!step.quiet?.(state)) clock.enter(step.stage, step.message(state));
    await step.run(state, clock);
  }
}
