// The fleet run's summary: summary.json (stable keys: every key always there, null where there is no figure) and summary.md.
import path from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import type { NeededChanges, OptionChanges, SizeChange } from './diff.js';

/** unchanged: same inputs, one boot confirmed the result; minimized: searched and passed; failed: see `error`. */
export type AppStatus = 'unchanged' | 'minimized' | 'failed';

export interface AppSummary {
  name: string;
  status: AppStatus;
  /** In words: what was done and why. */
  detail: string;
  error: { code: string; message: string; advice: string | null } | null;
  /** The inputs that differ from those of the previous passing result (app, files, tests, profile, kernel, options); all of them on a first run. */
  inputsChanged: string[];
  /** No previous result to compare with or start from. */
  firstRun: boolean;
  /** The previous result the search started from (`--from`: a history entry), or null. */
  warmStart: string | null;
  /** The kernel of the result and of the last one: version and tree key; `changed` when the trees differ. */
  kernel: { version: string | null; previous: string | null; tree: string | null; previousTree: string | null; changed: boolean };
  /** The result's options against the previous result's, by name (empty when unchanged or failed). */
  options: OptionChanges;
  /** What the search found needed, against what the previous search did. */
  needed: NeededChanges;
  bzImage: SizeChange;
  initramfs: SizeChange;
  /** Kernel builds this run made for the app (0 for unchanged; null when a failed run could not say). */
  builds: number | null;
  wallSeconds: number;
  out: string;
}

export interface FleetSummary {
  tinyx: string;
  fleet: string;
  out: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  /** Every app passed (unchanged or minimized): exit status 0. */
  passed: boolean;
  counts: Record<AppStatus, number>;
  apps: AppSummary[];
}

export function summarize(parts: Omit<FleetSummary, 'passed' | 'counts'>): FleetSummary {
  const counts: Record<AppStatus, number> = { unchanged: 0, minimized: 0, failed: 0 };
  for (const app of parts.apps) counts[app.status]++;
  return { ...parts, passed: counts.failed === 0, counts };
}

/** 0 when every app passed, 1 when any failed (usage errors, 2, never get this far). */
export function fleetExitStatus(summary: FleetSummary): 0 | 1 {
  return summary.passed ? 0 : 1;
}

/** The summary's files in the fleet's out dir. */
export const SUMMARY_FILES = ['summary.json', 'summary.md'] as const;

export async function writeSummary(dir: string, summary: FleetSummary): Promise<void> {
  const [json, md] = SUMMARY_FILES;
  await writeFileAtomic(path.join(dir, json), JSON.stringify(summary, null, 2) + '\n');
  await writeFileAtomic(path.join(dir, md), renderSummary(summary));
}

const kib = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024).toFixed(0)} KiB`);
const code = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');

function size(s: SizeChange): string {
  if (s.bytes === null) return s.previous === null ? '-' : `- (was ${kib(s.previous)})`;
  if (s.change === null || s.change === 0) return kib(s.bytes);
  return `${kib(s.bytes)} (${s.change > 0 ? '+' : '-'}${(Math.abs(s.change) / 1024).toFixed(1)} KiB)`;
}

function statusCell(app: AppSummary): string {
  if (app.status === 'failed') return `**failed** (${app.error?.code ?? 'error'})`;
  if (app.status === 'unchanged') return 'unchanged';
  return app.firstRun ? 'minimized (first run)' : `minimized (${app.inputsChanged.join(', ') || 'searched again'} changed)`;
}

function optionsCell(o: OptionChanges): string {
  const parts = [`+${o.added.length} -${o.removed.length}`, ...(o.appeared.length || o.vanished.length ? [`new ${o.appeared.length}, gone ${o.vanished.length}`] : [])];
  return parts.join(', ');
}

function appSection(app: AppSummary): string[] {
  const o = app.options;
  const lines = [`## ${app.name}: ${app.status}`, '', `${app.detail}`, ''];
  if (app.kernel.changed) lines.push(`Kernel ${app.kernel.previous} -> ${app.kernel.version} (tree ${app.kernel.previousTree} -> ${app.kernel.tree}).`, '');
  const list = (title: string, names: string[]) => (names.length ? [`- ${title}: ${code(names)}`] : []);
  const kernel = app.kernel.version ? `kernel ${app.kernel.version}` : 'the new kernel';
  const changes = [
    ...list('Options added', o.added), ...list('Options removed', o.removed),
    ...list(`New in ${kernel}, enabled`, o.appeared), ...list(`Enabled before, not in ${kernel}`, o.vanished),
    ...list(app.kernel.changed ? 'Needed on the new kernel, not on the old' : 'Needed now, not before', app.needed.added),
    ...list(app.kernel.changed ? 'Needed on the old kernel, not on the new' : 'Needed before, not now', app.needed.removed),
  ];
  if (app.status === 'minimized' && !app.firstRun) lines.push(...(changes.length ? changes : ['- The same options as the previous result.']), '');
  if (app.error) lines.push('```', app.error.message, ...(app.error.advice ? [app.error.advice] : []), '```', '');
  lines.push(`Results: \`${app.out}\`.`, '');
  return lines;
}

export function renderSummary(s: FleetSummary): string {
  const c = s.counts;
  return [
    `# tinyx fleet: ${s.fleet}`,
    '',
    `${s.finishedAt}: ${s.apps.length} app${s.apps.length === 1 ? '' : 's'}: ${c.minimized} minimized, ${c.unchanged} unchanged, ${c.failed} failed; ${s.wallSeconds} s. ${s.passed ? 'All passed.' : 'Not all passed (exit status 1).'}`,
    '',
    '| app | status | options (vs previous) | bzImage | initramfs | builds | wall time |',
    '|---|---|---|---:|---:|---:|---:|',
    ...s.apps.map((a) => `| ${a.name} | ${statusCell(a)} | ${a.status === 'minimized' && !a.firstRun ? optionsCell(a.options) : '-'} | ${size(a.bzImage)} | ${size(a.initramfs)} | ${a.builds ?? '-'} | ${a.wallSeconds} s |`),
    '',
    ...s.apps.flatMap(appSection),
  ].join('\n');
}
