// The run report as data (report.json, stable keys) and as prose (report.md).
import type { MinimizeResult } from '../search/minimize.js';
import { enabledSymbols } from '../kconfig/dotconfig.js';

export interface SizeFigures {
  bzImageBytes: number;
  initramfsBytes: number;
  optionsEnabled: number;
}

export interface Report {
  tinyx: string;
  app: string;
  tests: string;
  profile: string;
  kernelVersion: string;
  strategy: string;
  builds: number;
  evaluations: number;
  wallSeconds: number;
  stages: Record<string, number>;
  start: SizeFigures;
  final: SizeFigures;
  candidates: number;
  removed: string[];
  kept: string[];
  keptReasons: Record<string, string>;
  noops: string[];
  cmdline: string;
  cmdlineRemoved: string[];
  initramfs: { bytes: number; uncompressedBytes: number; entries: number };
  /** Remote worker events: dropped workers and re-queued candidates (empty without --worker). */
  workers: string[];
}

export function makeReport(result: MinimizeResult, sizes: { startBzImage: number; finalBzImage: number }, version: string): Report {
  const { options, kernel } = result;
  const stages: Record<string, number> = {};
  for (const s of result.stages) stages[s.stage] = Math.round((stages[s.stage] ?? 0) + s.seconds * 10) / 10;
  return {
    tinyx: version,
    app: options.app,
    tests: options.tests,
    profile: options.profile.name,
    kernelVersion: result.kernelVersion,
    strategy: options.strategy ?? options.profile.search.strategy,
    builds: result.builds,
    evaluations: result.evaluations,
    wallSeconds: Math.round(result.wallSeconds),
    stages,
    start: { bzImageBytes: sizes.startBzImage, initramfsBytes: result.initramfs.bytes, optionsEnabled: enabledSymbols(result.start.config).length },
    final: { bzImageBytes: sizes.finalBzImage, initramfsBytes: result.initramfs.bytes, optionsEnabled: enabledSymbols(result.final.config).length },
    candidates: kernel.candidates.length,
    removed: kernel.removed,
    kept: kernel.kept,
    keptReasons: Object.fromEntries(kernel.kept.map((n) => [n, kernel.reasons[n] ?? 'no verdict recorded'])),
    noops: kernel.noops,
    cmdline: result.final.cmdline,
    cmdlineRemoved: result.cmdlineRemoved,
    initramfs: result.initramfs,
    workers: result.workerEvents
      .filter((e) => e.type === 'executor-dropped' || e.type === 'requeue')
      .map((e) => JSON.stringify(e)),
  };
}

export function renderMarkdown(r: Report): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const pct = (a: number, b: number) => (a === 0 ? '' : ` (${(((b - a) / a) * 100).toFixed(1)}%)`);
  const lines = [
    `# tinyx report: ${r.app}`,
    '',
    `Profile \`${r.profile}\`, kernel ${r.kernelVersion}, strategy \`${r.strategy}\`.`,
    `${r.builds} kernel builds, ${r.evaluations} evaluations, ${r.wallSeconds} s wall time.`,
    '',
    '| | start | final |',
    '|---|---:|---:|',
    `| bzImage | ${kb(r.start.bzImageBytes)} | ${kb(r.final.bzImageBytes)}${pct(r.start.bzImageBytes, r.final.bzImageBytes)} |`,
    `| initramfs (gzip) | ${kb(r.start.initramfsBytes)} | ${kb(r.final.initramfsBytes)} |`,
    `| options =y | ${r.start.optionsEnabled} | ${r.final.optionsEnabled} |`,
    '',
    `Boot command line: \`${r.cmdline}\`${r.cmdlineRemoved.length ? ` (removed: ${r.cmdlineRemoved.map((t) => `\`${t}\``).join(', ')})` : ''}.`,
    '',
    '## Time per stage',
    '',
    ...Object.entries(r.stages).map(([stage, s]) => `- ${stage}: ${s} s`),
    '',
    ...(r.workers.length ? ['## Workers', '', ...r.workers.map((w) => `- ${w}`), ''] : []),
    `## Kept (${r.kept.length} of ${r.candidates} candidates)`,
    '',
    ...r.kept.map((n) => `- \`${n}\`: ${r.keptReasons[n]}`),
    '',
    `## Removed (${r.removed.length} options, candidates and what they took along)`,
    '',
    r.removed.length ? r.removed.map((n) => `\`${n}\``).join(', ') : '(none)',
    '',
  ];
  return lines.join('\n');
}
