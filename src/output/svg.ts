// report.svg: the kernel over the search (bzImage size and options =y after each passing test) and the final VM by part. Pure, deterministic.
import type { SeriesPoint } from '../search/series.js';
import type { Report } from './report.js';
import { escape, kib, niceStep, niceTicks, num, text } from './svg-elements.js';

/** The parts of the final VM's bar, in stacking order, with their legend names and colours. */
export const VM_PARTS = [
  { part: 'kernel', name: 'kernel (bzImage)', color: '#4e79a7' },
  { part: 'app', name: 'app', color: '#f28e2b' },
  { part: 'libraries', name: 'libraries', color: '#59a14f' },
  { part: 'init', name: 'init/BusyBox', color: '#e15759' },
  { part: 'other', name: 'other', color: '#bab0ac' },
] as const;

const WIDTH = 760;
const LEFT = 84;
const PLOT = WIDTH - LEFT - 30;
const HEIGHT = 580;

/** What the picture is drawn from. */
export type PictureInput = Pick<Report, 'app' | 'searchSeries' | 'final' | 'initramfs' | 'init'>;

export function renderSvg(r: PictureInput): string {
  const points = r.searchSeries.points;
  const last = points[points.length - 1];
  const body = [
    text(LEFT, 24, `tinyx: ${r.app}`, { 'font-size': 16, 'font-weight': 'bold' }),
    ...lineChart({ id: 'bzimage-series', title: 'bzImage size after each passing test', unit: 'KiB', per: 1024, top: 52, height: 150, color: '#4e79a7', points, value: (p) => p.bzImageBytes }),
    ...lineChart({ id: 'options-series', title: 'options =y after each passing test', unit: 'options', per: 1, top: 244, height: 110, color: '#f28e2b', points, value: (p) => p.optionsEnabled }),
    ...xAxis(points.length, 354),
    text(LEFT + PLOT / 2, 392, `passing tests in search order (0: the start config)${last ? `; the last ${last.seconds} s after the run began` : ''}`, { 'text-anchor': 'middle' }),
    ...partsBars(r, 428),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11" role="img" aria-labelledby="svg-title">`,
    `<title id="svg-title">${escape(`tinyx: ${r.app}: the kernel after each passing test, and the final VM by part`)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...body.map((line) => `  ${line}`),
    '</svg>',
    '',
  ].join('\n');
}

interface Chart {
  id: string;
  title: string;
  /** The y axis's unit, and how many of the value's own units make one. */
  unit: string;
  per: number;
  top: number;
  height: number;
  color: string;
  points: SeriesPoint[];
  value: (p: SeriesPoint) => number | undefined;
}

/** One panel: y axis with ticks, a line through the known values, a dot per point (its title says what the test was), first and last value written. */
function lineChart(c: Chart): string[] {
  const known = c.points.flatMap((p, i) => {
    const raw = c.value(p);
    return raw === undefined ? [] : [{ i, raw, v: raw / c.per, p }];
  });
  const frame = [
    text(LEFT, c.top - 8, c.title, { 'font-weight': 'bold' }),
    `<rect x="${LEFT}" y="${c.top}" width="${PLOT}" height="${c.height}" fill="none" stroke="#cccccc"/>`,
    text(18, c.top + c.height / 2, c.unit, { 'text-anchor': 'middle', transform: `rotate(-90 18 ${c.top + c.height / 2})` }),
  ];
  if (known.length === 0) return [...frame, text(LEFT + PLOT / 2, c.top + c.height / 2, 'no passing test recorded', { 'text-anchor': 'middle' })];
  const lo = Math.min(...known.map((x) => x.v));
  const hi = Math.max(...known.map((x) => x.v));
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(1, hi * 0.05);
  const [min, max] = [Math.max(0, lo - pad), hi + pad];
  const y = (v: number) => c.top + c.height - ((v - min) / (max - min)) * c.height;
  const x = (i: number) => xOf(i, c.points.length);
  // Whole numbers: a count of options, and KiB at this scale.
  const ticks = niceTicks(min, max, 4, 1).map((t) => [
    `<line x1="${LEFT - 4}" y1="${num(y(t))}" x2="${LEFT + PLOT}" y2="${num(y(t))}" stroke="#eeeeee"/>`,
    text(LEFT - 6, y(t) + 4, String(t), { 'text-anchor': 'end' }),
  ]).flat();
  const first = known[0]!;
  const end = known[known.length - 1]!;
  const valueOf = (v: number) => `${Math.round(v)} ${c.unit}`;
  return [
    ...frame,
    ...ticks,
    `<g id="${c.id}" fill="${c.color}">`,
    `  <polyline fill="none" stroke="${c.color}" stroke-width="2" points="${known.map((k) => `${num(x(k.i))},${num(y(k.v))}`).join(' ')}"/>`,
    ...known.map((k) => `  <circle cx="${num(x(k.i))}" cy="${num(y(k.v))}" r="3" data-index="${k.i}" data-value="${k.raw}"><title>${escape(`${k.i}: ${k.p.label}: ${valueOf(k.v)} (${k.p.seconds} s)`)}</title></circle>`),
    '</g>',
    text(x(first.i) + 6, y(first.v) - 6, valueOf(first.v), { fill: c.color }),
    ...(end.i !== first.i ? [text(x(end.i) - 6, y(end.v) - 6, valueOf(end.v), { fill: c.color, 'text-anchor': 'end' })] : []),
  ];
}

function xAxis(count: number, top: number): string[] {
  if (count === 0) return [];
  const step = Math.max(1, niceStep((count - 1) / 10));
  const ticks: string[] = [];
  for (let i = 0; i < count; i += step) ticks.push(`<line x1="${num(xOf(i, count))}" y1="${top}" x2="${num(xOf(i, count))}" y2="${top + 4}" stroke="#888888"/>`, text(xOf(i, count), top + 16, String(i), { 'text-anchor': 'middle' }));
  return ticks;
}

/**
 * Two bars on one scale: the final VM by part (the bzImage, and each part of the initramfs as its
 * files take it uncompressed), then as shipped (the bzImage and the compressed initramfs, whose
 * bytes cannot be split by part).
 */
function partsBars(r: PictureInput, top: number): string[] {
  const bytes: Record<(typeof VM_PARTS)[number]['part'], number> = { kernel: r.final.bzImageBytes, ...r.initramfs.parts };
  const byPart = VM_PARTS.reduce((s, p) => s + bytes[p.part], 0);
  const shipped = r.final.bzImageBytes + r.initramfs.bytes;
  const scale = PLOT / Math.max(byPart, shipped, 1);
  // A guest with tinyx's own init has no BusyBox.
  const nameOf = (p: (typeof VM_PARTS)[number]) => (p.part === 'init' && r.init?.kind === 'tinyx' ? 'init (tinyx\'s)' : p.name);
  let at = LEFT;
  const segments = VM_PARTS.map((p) => {
    const w = bytes[p.part] * scale;
    const rect = `  <rect x="${num(at)}" y="${top + 22}" width="${num(w)}" height="26" fill="${p.color}" data-part="${p.part}" data-bytes="${bytes[p.part]}"><title>${escape(`${nameOf(p)}: ${kib(bytes[p.part])}`)}</title></rect>`;
    at += w;
    return rect;
  });
  const legend = VM_PARTS.map((p, i) => {
    const lx = LEFT + i * (PLOT / VM_PARTS.length);
    return [`<rect x="${num(lx)}" y="${top + 58}" width="10" height="10" fill="${p.color}"/>`, text(lx + 14, top + 67, nameOf(p)), text(lx + 14, top + 81, kib(bytes[p.part]), { fill: '#555555' })];
  }).flat();
  const kernelWidth = r.final.bzImageBytes * scale;
  return [
    text(LEFT, top, 'The final VM by part', { 'font-weight': 'bold' }),
    text(LEFT, top + 16, `by part: ${kib(byPart)} (the bzImage, and the initramfs's parts uncompressed: compression mixes them)`),
    '<g id="vm-parts">', ...segments, '</g>',
    ...legend,
    text(LEFT, top + 110, `as shipped: ${kib(shipped)} (the bzImage, and the initramfs compressed${r.initramfs.compression ? ` with ${r.initramfs.compression}` : ''}: ${kib(r.initramfs.bytes)})`),
    '<g id="vm-shipped">',
    `  <rect x="${LEFT}" y="${top + 116}" width="${num(kernelWidth)}" height="18" fill="${VM_PARTS[0].color}" data-part="kernel" data-bytes="${r.final.bzImageBytes}"/>`,
    `  <rect x="${num(LEFT + kernelWidth)}" y="${top + 116}" width="${num(r.initramfs.bytes * scale)}" height="18" fill="#9c755f" data-part="initramfs" data-bytes="${r.initramfs.bytes}"><title>${escape(`initramfs, compressed: ${kib(r.initramfs.bytes)}`)}</title></rect>`,
    '</g>',
  ];
}

function xOf(i: number, count: number): number {
  return count <= 1 ? LEFT + PLOT / 2 : LEFT + (i * PLOT) / (count - 1);
}
