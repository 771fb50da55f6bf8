// ExecutorPool scheduling with in-process executors: re-queue on executor failure, never on a failing
// verdict, dead executors dropped, results independent of which executor ran a job.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/load.js';
import { WorkerLostError } from '../../src/remote/errors.js';
import { ExecutorPool, type PoolEvent } from '../../src/remote/pool.js';
import { LocalExecutor, type Executor, type Job } from '../../src/tester/executor.js';
import { Workspace } from '../../src/tester/workspace.js';
import type { Verdict } from '../../src/tester/verdict.js';

/** A verdict that depends on the job only: "pass" for even hashes, "fail" for odd ones. */
function verdictOf(job: Job): Verdict {
  const status = Number.parseInt(job.configHash, 16) % 2 === 0 ? 'pass' : 'fail';
  return { status, reason: status, configHash: job.configHash, cmdline: job.cmdline, built: false, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '' };
}

class FakeExecutor implements Executor {
  ran: string[] = [];
  running = 0;
  maxRunning = 0;
  constructor(readonly name: string, readonly slots: number, private readonly dieAfter = Infinity, private readonly delayMs = 5) {}
  async run(job: Job): Promise<Verdict> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.ran.length >= this.dieAfter) throw new WorkerLostError(this.name, 'the connection closed');
      this.ran.push(job.configHash);
      return verdictOf(job);
    } finally {
      this.running--;
    }
  }
}

const jobs = (n: number): Job[] => Array.from({ length: n }, (_, i) => ({ config: new Map(), configHash: i.toString(16), cmdline: 'console=ttyS0', logDir: `/tmp/j${i}` }) as unknown as Job);

describe('ExecutorPool', () => {
  it('spreads jobs over every slot and never oversubscribes one executor', async () => {
    const a = new FakeExecutor('local', 1);
    const b = new FakeExecutor('ssh://w1', 2);
    const pool = new ExecutorPool([a, b]);
    expect(pool.slots).toBe(3);
    const verdicts = await Promise.all(jobs(12).map((j) => pool.run(j)));
    expect(verdicts).toEqual(jobs(12).map(verdictOf));
    expect(a.maxRunning).toBe(1);
    expect(b.maxRunning).toBe(2);
    expect(a.ran.length + b.ran.length).toBe(12);
    expect(b.ran.length).toBeGreaterThan(0);
  });

  it('re-queues the jobs of a dying executor elsewhere and drops it; fails are verdicts, not retries', async () => {
    const local = new FakeExecutor('local', 1, Infinity, 10);
    const remote = new FakeExecutor('ssh://w1', 2, 2, 3);
    const pool = new ExecutorPool([remote, local]);
    const verdicts = await Promise.all(jobs(10).map((j) => pool.run(j)));
    expect(verdicts).toEqual(jobs(10).map(verdictOf));
    expect(verdicts.some((v) => v.status === 'fail')).toBe(true);
    expect(pool.live).toEqual(['local']);
    expect(pool.slots).toBe(1);
    const dropped = pool.events.filter((e) => e.type === 'executor-dropped');
    expect(dropped).toHaveLength(1);
    expect(pool.events.filter((e) => e.type === 'requeue').length).toBeGreaterThanOrEqual(1);
    // Each job got exactly one verdict, whoever ran it.
    expect(pool.events.filter((e) => e.type === 'verdict')).toHaveLength(10);
    expect(new Set([...remote.ran, ...local.ran]).size).toBe(10);
  });

  it('rejects with TINYX_WORKER_UNREACHABLE when no executor is left', async () => {
    const pool = new ExecutorPool([new FakeExecutor('ssh://w1', 1, 0), new FakeExecutor('ssh://w2', 1, 0)]);
    await expect(Promise.all(jobs(3).map((j) => pool.run(j)))).rejects.toMatchObject({ code: 'TINYX_WORKER_UNREACHABLE' });
    expect(pool.live).toEqual([]);
  });

  it('passes through errors that are not the executor\'s fault without dropping it', async () => {
    const broken: Executor = { name: 'local', slots: 1, run: async () => { throw new Error('bug'); } };
    const pool = new ExecutorPool([broken]);
    await expect(pool.run(jobs(1)[0]!)).rejects.toThrow('bug');
    expect(pool.live).toEqual(['local']);
  });

  it('runs as many jobs at once on this host as --jobs claimed slots, beside a worker (real LocalExecutor, real make)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-pool-'));
    const workspace = new Workspace('stand-in', path.join(dir, 'cache'));
    const claimed = await workspace.claimSlots(2);
    try {
      // A stand-in tree whose build fails at once on a compile error: each local job is one real make run.
      const local = new LocalExecutor({
        srcDir: path.resolve(__dirname, '../fixtures/tester/error-tree'), initramfs: '/nonexistent', tests: '/bin/true', network: { guestPort: 80 },
        qemu: (await loadProfile()).qemu, bootTimeoutMs: 10_000, readyTimeoutMs: 1_000, testTimeoutMs: 1_000,
      }, workspace, claimed.slots);
      const worker = new FakeExecutor('ssh://w1', 1, Infinity, 3_000);
      const pool = new ExecutorPool([local, worker]);
      const all = jobs(5).map((j, i) => ({ ...j, logDir: path.join(dir, 'logs', String(i)) }));
      const verdicts = await Promise.all(all.map((j) => pool.run(j)));
      expect(verdicts.filter((v) => v.status === 'build-error')).toHaveLength(4);
      expect(local.slots).toBe(2);
      expect(mostAtOnce(pool.events, 'local')).toBe(2);
      expect(mostAtOnce(pool.events, 'ssh://w1')).toBe(1);
    } finally {
      await claimed.release();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The most jobs `executor` had in flight at once, from the pool's dispatch and verdict events. */
function mostAtOnce(events: PoolEvent[], executor: string): number {
  let now = 0;
  let most = 0;
  for (const e of events) {
    if (!('executor' in e) || e.executor !== executor) continue;
    if (e.type === 'dispatch') most = Math.max(most, ++now);
    if (e.type === 'verdict' || e.type === 'job-failed') now--;
  }
  return most;
}
