// report.svg, parsed as XML: the series of the search in order, and the final VM's bars by part.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/output/report.js';
import { renderSvg, VM_PARTS } from '../../src/output/svg.js';
import { report } from './report-fixture.js';

type Node = Record<string, unknown> & { '#text'?: string | number };
const ARRAYS = new Set(['g', 'circle', 'rect', 'text', 'polyline', 'line']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ARRAYS.has(name) });

/** The parsed <svg> element, after checking the document is well-formed. */
function parse(svg: string): Node {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = parser.parse(svg) as { svg: Node };
  expect(doc.svg).toBeDefined();
  return doc.svg;
}

const group = (svg: Node, id: string): Node => {
  const found = (svg.g as Node[]).find((g) => g.id === id);
  expect(found, `<g id="${id}">`).toBeDefined();
  return found!;
};
const list = (node: Node, name: string) => (node[name] as Node[] | undefined) ?? [];
const texts = (svg: Node) => list(svg, 'text').map((t) => String(t['#text']));
const titleOf = (n: Node) => String((n.title as Node | string | undefined) && typeof n.title === 'object' ? (n.title as Node)['#text'] : n.title);

describe('renderSvg', () => {
  it('draws bzImage size and options =y after each passing test, in search order, the start first', () => {
    const svg = parse(renderSvg(report));
    const sizes = list(group(svg, 'bzimage-series'), 'circle');
    expect(sizes.map((c) => Number(c['data-value']))).toEqual([3072, 2560, 2048]);
    expect(sizes.map((c) => Number(c['data-index']))).toEqual([0, 1, 2]);
    expect(sizes.map(titleOf)).toEqual(['0: start: 3 KiB (2.5 s)', '1: -SIGNALFD: 3 KiB (6 s)', '2: -INPUT: 2 KiB (8.5 s)']);
    // Smaller values lower in the panel, points left to right.
    expect(sizes.map((c) => Number(c.cy))).toEqual([...sizes.map((c) => Number(c.cy))].sort((a, b) => a - b));
    expect(sizes.map((c) => Number(c.cx))).toEqual([...sizes.map((c) => Number(c.cx))].sort((a, b) => a - b));
    const options = list(group(svg, 'options-series'), 'circle');
    expect(options.map((c) => Number(c['data-value']))).toEqual([5, 4, 3]);
    expect(options.map(titleOf)).toEqual(['0: start: 5 options (2.5 s)', '1: -SIGNALFD: 4 options (6 s)', '2: -INPUT: 3 options (8.5 s)']);
    for (const id of ['bzimage-series', 'options-series']) {
      expect(String(list(group(svg, id), 'polyline')[0]!.points).split(' ')).toHaveLength(3);
    }
  });

  it('labels the axes and writes the values', () => {
    const all = texts(parse(renderSvg(report)));
    expect(all).toEqual(expect.arrayContaining([
      'bzImage size after each passing test', 'options =y after each passing test', 'KiB', 'options',
      'passing tests in search order (0: the start config); the last 8.5 s after the run began',
      '3 KiB', '2 KiB', '5 options', '3 options', '0', '1', '2',
    ]));
    // The y axis of the options panel: round ticks between 3 and 5.
    expect(all).toEqual(expect.arrayContaining(['3', '4', '5']));
  });

  it('stacks the final VM by part, with a legend and byte figures, and the shipped files on the same scale', () => {
    const svg = parse(renderSvg(report));
    const bars = list(group(svg, 'vm-parts'), 'rect');
    expect(bars.map((r) => r['data-part'])).toEqual(['kernel', 'app', 'libraries', 'init', 'other']);
    expect(bars.map((r) => Number(r['data-bytes']))).toEqual([2048, 1000, 2000, 900, 196]);
    const widths = bars.map((r) => Number(r.width));
    expect(widths[0]! / widths[2]!).toBeCloseTo(2048 / 2000, 2);
    // Side by side, left to right.
    for (let i = 1; i < bars.length; i++) expect(Number(bars[i]!.x)).toBeCloseTo(Number(bars[i - 1]!.x) + widths[i - 1]!, 0);
    const shipped = list(group(svg, 'vm-shipped'), 'rect');
    expect(shipped.map((r) => [r['data-part'], Number(r['data-bytes'])])).toEqual([['kernel', 2048], ['initramfs', 1024]]);
    expect(Number(shipped[0]!.width)).toBeCloseTo(widths[0]!, 1);
    const all = texts(svg);
    expect(all).toEqual(expect.arrayContaining([...VM_PARTS.map((p) => p.name), '2.0 KiB', '1000 B', '900 B', '196 B']));
    expect(all).toContain('by part: 6.0 KiB (the bzImage, and the initramfs\'s parts uncompressed: compression mixes them)');
    expect(all).toContain('as shipped: 3.0 KiB (the bzImage, and the initramfs compressed with gzip: 1.0 KiB)');
    // With tinyx's own init there is no BusyBox to name.
    expect(texts(parse(renderSvg({ ...report, init: { kind: 'tinyx', choice: 'auto', reason: 'an ELF app' } })))).toContain('init (tinyx\'s)');
  });

  it('is the same for the same report, escapes what it writes, and draws what it knows', () => {
    expect(renderSvg(structuredClone(report))).toBe(renderSvg(report));
    const odd: Report = { ...report, app: '/srv/a&b <"x">', searchSeries: { ...report.searchSeries, points: [
      { label: 'start', configHash: 'c0', optionsEnabled: 5, seconds: 0 },
      { label: '-A & -B', configHash: 'c1', bzImageBytes: 2048, optionsEnabled: 3, seconds: 1 },
    ] } };
    const svg = parse(renderSvg(odd));
    expect(texts(svg)).toContain('tinyx: /srv/a&b <"x">');
    // The start's size is unknown (a journal from before sizes were recorded): no dot for it, its options still drawn.
    expect(list(group(svg, 'bzimage-series'), 'circle').map((c) => [Number(c['data-index']), titleOf(c)])).toEqual([[1, '1: -A & -B: 2 KiB (1 s)']]);
    expect(list(group(svg, 'options-series'), 'circle').map((c) => Number(c['data-value']))).toEqual([5, 3]);
    const alone = parse(renderSvg({ ...report, searchSeries: { ...report.searchSeries, points: report.searchSeries.points.slice(0, 1) } }));
    expect(list(group(alone, 'bzimage-series'), 'circle')).toHaveLength(1);
  });
});
