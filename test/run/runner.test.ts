import { describe, expect, it } from 'vitest';
import type { MinimizeEvent } from '../../src/search/events.js';
import { runStages, StageClock, type StageStep } from '../../src/run/runner.js';

interface S { ran: string[]; others: number }

const step = (stage: StageStep<S>['stage'], extra: Partial<StageStep<S>> = {}): StageStep<S> => ({
  stage, message: () => `doing ${stage}`, run: async (s) => void s.ran.push(stage), ...extra,
});

describe('the stage runner', () => {
  it('runs the stages in order, each announced once, skipped ones not at all, quiet ones inside the one before', async () => {
    const events: MinimizeEvent[] = [];
    const clock = new StageClock((e) => events.push(e));
    const state: S = { ran: [], others: 0 };
    await runStages([
      step('inputs'), step('deps', { skip: () => true }), step('initramfs'),
      step('compression', { quiet: (s) => s.others === 0 }), step('output'),
    ], state, clock);
    expect(state.ran).toEqual(['inputs', 'initramfs', 'compression', 'output']);
    expect(events.map((e) => (e.type === 'stage' ? `${e.stage}: ${e.message}` : e.type))).toEqual(['inputs: doing inputs', 'initramfs: doing initramfs', 'output: doing output']);
    expect(clock.times().map((t) => t.stage)).toEqual(['inputs', 'initramfs', 'output']);
    expect(clock.times().at(-1)).toEqual({ stage: 'output', seconds: 0 });
  });

  it('times each stage until the next one starts, a stage a stage enters itself included', async () => {
    const clock = new StageClock(() => undefined);
    await runStages([
      step('candidates', { run: async (_s, c) => { await new Promise((r) => setTimeout(r, 120)); c.enter('kernel-trace', 'tracing'); await new Promise((r) => setTimeout(r, 60)); } }),
      step('kernel-search'),
    ], { ran: [], others: 0 }, clock);
    const [candidates, trace] = clock.times();
    expect(candidates!.stage).toBe('candidates');
    expect(candidates!.seconds).toBeGreaterThanOrEqual(0.1);
    expect(trace!.stage).toBe('kernel-trace');
    expect(trace!.seconds).toBeGreaterThanOrEqual(0.05);
    expect(trace!.seconds).toBeLessThan(candidates!.seconds);
  });

  it('stops between stages once the run is aborted, with TINYX_INTERRUPTED', async () => {
    const abort = new AbortController();
    const state: S = { ran: [], others: 0 };
    const run = runStages([step('inputs', { run: async (s) => { s.ran.push('inputs'); abort.abort(); } }), step('deps')], state, new StageClock(() => undefined, abort.signal));
    await expect(run).rejects.toMatchObject({ code: 'TINYX_INTERRUPTED' });
    expect(state.ran).toEqual(['inputs']);
  });
});
