// The fleet loop and its summary: every app runs though one fails, the exit status says whether all passed, an interrupt stops it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlagOptions } from '../../src/flags/minimize-options.js';
import { interruptedError, isTinyxError, TinyxError } from '../../src/errors.js';
import { failedSummary } from '../../src/fleet/app.js';
import type { FleetPlan, PlannedApp } from '../../src/fleet/load.js';
import { lockFleet } from '../../src/fleet/lock.js';
import { runFleet } from '../../src/fleet/run.js';
import { fleetExitStatus, renderSummary, type AppSummary } from '../../src/fleet/summary.js';
import { exists } from '../../src/util/fsx.js';

const plan = (...names: string[]): FleetPlan => ({
  file: { source: '/srv/fleet.yaml', execution: {}, apps: [] },
  shared: { execution: {} },
  apps: names.map((name, i): PlannedApp => ({ app: { name, line: i + 2, flags: {}, args: [] }, options: {} as FlagOptions })),
});

/** A stand-in for one app's run (the real one builds and boots: test/e2e/fleet.test.ts): the summary it gives back is named. */
function passed(name: string, out: string, status: 'unchanged' | 'minimized'): AppSummary {
  return {
    name, status, detail: status, error: null, inputsChanged: status === 'unchanged' ? [] : ['tests'], firstRun: false, warmStart: status === 'minimized' ? `${out}/history/x` : null,
    kernel: { version: '6.1.1', previous: '6.1.1', tree: '6.1.1-a', previousTree: '6.1.1-a', changed: false },
    options: { added: status === 'minimized' ? ['EPOLL'] : [], removed: [], appeared: [], vanished: [] }, needed: { added: [], removed: [] },
    bzImage: { bytes: 1024000, previous: 1020000, change: 4000 }, initramfs: { bytes: 2000, previous: 2000, change: 0 },
    builds: status === 'unchanged' ? 0 : 2, wallSeconds: 1, out,
  };
}

const quiet = { say: () => undefined, display: () => ({ listener: () => undefined, stop: () => undefined }) };

describe('runFleet', () => {
  it('runs every app though one fails, writes summary.json and summary.md, and exits 1', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-run-'));
    const ran: string[] = [];
    const summary = await runFleet(plan('broken', 'hello-http', 'sh-status'), {
      ...quiet, out,
      runApp: async (planned, run) => {
        ran.push(planned.app.name);
        const dir = path.join(run.dir, planned.app.name);
        if (planned.app.name === 'broken') return failedSummary('broken', dir, new TinyxError('TINYX_APP_NOT_FOUND', 'App not found: /srv/broken.', { advice: 'Pass --app.' }), Date.now());
        return passed(planned.app.name, dir, planned.app.name === 'hello-http' ? 'minimized' : 'unchanged');
      },
    });
    expect(ran).toEqual(['broken', 'hello-http', 'sh-status']);
    expect(summary.counts).toEqual({ unchanged: 1, minimized: 1, failed: 1 });
    expect(summary.passed).toBe(false);
    expect(fleetExitStatus(summary)).toBe(1);
    const json = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(json.apps.map((a: AppSummary) => [a.name, a.status])).toEqual([['broken', 'failed'], ['hello-http', 'minimized'], ['sh-status', 'unchanged']]);
    expect(json.apps[0].error).toEqual({ code: 'TINYX_APP_NOT_FOUND', message: 'App not found: /srv/broken.', advice: 'Pass --app.' });
    const md = await readFile(path.join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| broken | **failed** (TINYX_APP_NOT_FOUND) |');
    expect(md).toContain('| hello-http | minimized (tests changed) | +1 -0 | 1000 KiB (+3.9 KiB) |');
    expect(md).toContain('- Options added: `EPOLL`');
    expect(await exists(path.join(out, 'fleet.lock'))).toBe(false);
  });

  it('exits 0 when every app passed', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-run-'));
    const summary = await runFleet(plan('a', 'b'), { ...quiet, out, runApp: async (p, run) => passed(p.app.name, path.join(run.dir, p.app.name), 'unchanged') });
    expect(fleetExitStatus(summary)).toBe(0);
    expect(renderSummary(summary)).toContain('0 minimized, 2 unchanged, 0 failed');
  });

  it('stops at an interrupt: the app in flight counts as failed, the summary is written, the interrupt goes on', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-run-'));
    const ran: string[] = [];
    const error = await runFleet(plan('a', 'b', 'c'), {
      ...quiet, out,
      runApp: async (p, run) => {
        ran.push(p.app.name);
        if (p.app.name === 'b') throw interruptedError();
        return passed(p.app.name, path.join(run.dir, p.app.name), 'unchanged');
      },
    }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_INTERRUPTED')).toBe(true);
    expect(ran).toEqual(['a', 'b']);
    const json = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(json.apps.map((a: AppSummary) => [a.name, a.status, a.error?.code ?? null])).toEqual([['a', 'unchanged', null], ['b', 'failed', 'TINYX_INTERRUPTED']]);
    expect(await exists(path.join(out, 'fleet.lock'))).toBe(false);
  });

  it('refuses an out dir another fleet run holds before running anything', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-run-'));
    const held = await lockFleet(out, () => undefined);
    let ran = false;
    const error = await runFleet(plan('a'), { ...quiet, out, runApp: async (p, run) => { ran = true; return passed('a', run.dir, 'unchanged'); } }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_FLEET_LOCKED')).toBe(true);
    expect(ran).toBe(false);
    await held.release();
  });

  it('gives every app summary the same keys, whatever its status (stable keys)', () => {
    const keys = (s: AppSummary) => Object.keys(s).sort();
    const failed = failedSummary('x', '/o/x', new Error('boom'), Date.now());
    expect(keys(failed)).toEqual(keys(passed('x', '/o/x', 'unchanged')));
    expect(Object.keys(failed.kernel).sort()).toEqual(Object.keys(passed('x', '/o/x', 'minimized').kernel).sort());
    expect(failed.error?.code).toBe('TINYX_INTERNAL');
    expect(failed.error?.message).toContain('boom');
  });
});
