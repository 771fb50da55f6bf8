// A fleet run: takes the out dir's lock, runs the apps one after another (sharing the cache, the knowledge file, the slots), writes the summary.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventListener } from '../search/events.js';
import { packageRoot } from '../util/paths.js';
import { failedSummary, runApp, type AppRun } from './app.js';
import type { FleetPlan, PlannedApp } from './load.js';
import { lockFleet } from './lock.js';
import { summarize, writeSummary, type AppSummary, type FleetSummary } from './summary.js';

/** How many earlier results each app keeps under history/ by default. */
export const DEFAULT_KEEP_HISTORY = 7;

export interface FleetRunOptions {
  out: string;
  keepHistory?: number;
  signal?: AbortSignal;
  /** The fleet's own lines (app started, unchanged, failed, the lock taken over). */
  say: (message: string) => void;
  /** A display for one app's minimize events; stopped when the app is done. */
  display: (app: string) => { listener: EventListener; stop: () => void };
  /** Runs one app (the fleet loop's own tests pass another). */
  runApp?: (planned: PlannedApp, run: AppRun) => Promise<AppSummary>;
}

/**
 * Every app of the plan, in order; one that fails does not stop the others. The summary
 * (summary.json, summary.md in `out`) is written when the run ends, and when an interrupt stops
 * it (the app in flight counts as failed; the rest are not in it). Then the interrupt is thrown.
 */
export async function runFleet(plan: FleetPlan, options: FleetRunOptions): Promise<FleetSummary> {
  const out = path.resolve(options.out);
  const started = new Date();
  const lock = await lockFleet(out, options.say);
  const apps: AppSummary[] = [];
  const run = options.runApp ?? runApp;
  const version = await tinyxVersion();
  const finish = async () => {
    const summary = summarize({
      tinyx: version, fleet: plan.file.source, out, startedAt: started.toISOString(), finishedAt: new Date().toISOString(),
      wallSeconds: Math.round((Date.now() - started.getTime()) / 100) / 10, apps,
    });
    await writeSummary(out, summary);
    return summary;
  };
  try {
    options.say(`fleet ${plan.file.source}: ${plan.apps.length} app${plan.apps.length === 1 ? '' : 's'} (${plan.apps.map((a) => a.app.name).join(', ')}) into ${out}`);
    for (const [index, planned] of plan.apps.entries()) {
      const began = Date.now();
      options.say(`${planned.app.name} (${index + 1}/${plan.apps.length})`);
      const display = options.display(planned.app.name);
      try {
        apps.push(await run(planned, { dir: out, keepHistory: options.keepHistory ?? DEFAULT_KEEP_HISTORY, signal: options.signal, say: options.say, onEvent: display.listener }));
      } catch (error) {
        display.stop();
        apps.push(failedSummary(planned.app.name, path.join(out, planned.app.name), error, began));
        await finish();
        throw error;
      }
      display.stop();
    }
    const summary = await finish();
    options.say(`fleet done: ${summary.counts.minimized} minimized, ${summary.counts.unchanged} unchanged, ${summary.counts.failed} failed; ${path.join(out, 'summary.md')}`);
    return summary;
  } finally {
    await lock.release();
  }
}

async function tinyxVersion(): Promise<string> {
  const text = await readFile(path.join(packageRoot(), 'package.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}
