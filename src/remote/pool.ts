// ExecutorPool: one Executor over several (local and remote): dispatches jobs to free slots,
// re-queues a job whose executor failed, drops dead executors, and records what happened.
import { TinyxError } from '../errors.js';
import type { Executor, Job } from '../tester/executor.js';
import type { Verdict, VerdictStatus } from '../tester/verdict.js';
import { isRetryable } from './errors.js';

export type PoolEvent =
  | { type: 'dispatch'; at: number; job: string; executor: string; attempt: number }
  | { type: 'verdict'; at: number; job: string; executor: string; status: VerdictStatus }
  | { type: 'requeue'; at: number; job: string; executor: string; attempt: number; error: string }
  | { type: 'executor-dropped'; at: number; executor: string; reason: string }
  | { type: 'job-failed'; at: number; job: string; executor?: string; error: string };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface PoolOptions {
  /** How many executors may fail one job before it fails for good. */
  maxAttempts?: number;
  onEvent?: (event: PoolEvent) => void;
  now?: () => number;
}

interface Entry {
  job: Job;
  signal?: AbortSignal;
  attempts: number;
  resolve: (verdict: Verdict) => void;
  reject: (error: unknown) => void;
}

interface Member {
  executor: Executor;
  busy: number;
  dead: boolean;
}

export class ExecutorPool implements Executor {
  readonly name = 'pool';
  readonly events: PoolEvent[] = [];
  private readonly members: Member[];
  private readonly queue: Entry[] = [];
  private lastError: unknown;

  /** Executors are preferred in the order given (put the local one first). */
  constructor(executors: Executor[], private readonly options: PoolOptions = {}) {
    this.members = executors.map((executor) => ({ executor, busy: 0, dead: false }));
  }

  get slots(): number {
    return this.members.filter((m) => !m.dead).reduce((sum, m) => sum + m.executor.slots, 0);
  }

  /** Names of the executors still in service. */
  get live(): string[] {
    return this.members.filter((m) => !m.dead).map((m) => m.executor.name);
  }

  run(job: Job, signal?: AbortSignal): Promise<Verdict> {
    return new Promise<Verdict>((resolve, reject) => {
      this.queue.push({ job, signal, attempts: 0, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.members.every((m) => m.dead)) {
      for (const entry of this.queue.splice(0)) this.fail(entry, undefined, this.noneLeft());
      return;
    }
    for (;;) {
      const member = this.members.find((m) => !m.dead && m.busy < m.executor.slots);
      const entry = member && this.queue.shift();
      if (!member || !entry) return;
      if (entry.signal?.aborted) {
        this.fail(entry, undefined, new TinyxError('TINYX_INTERRUPTED', 'Interrupted before the job started.'));
        continue;
      }
      this.dispatch(member, entry);
    }
  }

  private dispatch(member: Member, entry: Entry): void {
    const name = member.executor.name;
    entry.attempts++;
    member.busy++;
    this.record({ type: 'dispatch', job: entry.job.configHash, executor: name, attempt: entry.attempts });
    member.executor.run(entry.job, entry.signal).then((verdict) => {
      this.record({ type: 'verdict', job: entry.job.configHash, executor: name, status: verdict.status });
      entry.resolve(verdict);
    }, (error: unknown) => {
      if (!isRetryable(error) || entry.signal?.aborted) return this.fail(entry, name, error);
      this.lastError = error;
      this.drop(member, error);
      if (entry.attempts >= (this.options.maxAttempts ?? 3)) return this.fail(entry, name, error);
      this.record({ type: 'requeue', job: entry.job.configHash, executor: name, attempt: entry.attempts, error: message(error) });
      this.queue.unshift(entry);
    }).finally(() => {
      member.busy--;
      this.pump();
    });
  }

  private drop(member: Member, error: unknown): void {
    if (member.dead) return;
    member.dead = true;
    this.record({ type: 'executor-dropped', executor: member.executor.name, reason: message(error) });
  }

  private fail(entry: Entry, executor: string | undefined, error: unknown): void {
    this.record({ type: 'job-failed', job: entry.job.configHash, executor, error: message(error) });
    entry.reject(error);
  }

  private noneLeft(): TinyxError {
    return new TinyxError('TINYX_WORKER_UNREACHABLE', `No executor left: every one failed (last: ${message(this.lastError)}).`, {
      advice: 'Check the workers with tinyx worker check, or run without --worker.', cause: this.lastError,
    });
  }

  private record(event: DistributiveOmit<PoolEvent, 'at'>): void {
    const full = { ...event, at: (this.options.now ?? Date.now)() } as PoolEvent;
    this.events.push(full);
    this.options.onEvent?.(full);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
