// The SVG building blocks: round axis ticks, byte figures, escaping.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escape, kib, niceTicks, text } from '../../src/output/svg-elements.js';

describe('niceTicks', () => {
  it('gives round steps of 1, 2 or 5 times a power of ten inside the range', () => {
    expect(niceTicks(0, 10, 4)).toEqual([0, 5, 10]);
    expect(niceTicks(1010, 1700, 4)).toEqual([1200, 1400, 1600]);
    expect(niceTicks(375.2, 650.8, 4)).toEqual([400, 500, 600]);
    expect(niceTicks(2.9, 5.1, 4)).toEqual([3, 4, 5]);
    expect(niceTicks(2.84, 4.16, 4)).toEqual([3, 3.5, 4]);
    expect(niceTicks(2.84, 4.16, 4, 1)).toEqual([3, 4]);
  });
});

describe('kib and text', () => {
  it('writes bytes under 1 KiB as bytes, then KiB with one decimal under 100 KiB', () => {
    expect([kib(0), kib(1023), kib(1024), kib(1536), kib(100 * 1024), kib(1025 * 1024 + 300)]).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '100 KiB', '1025 KiB']);
  });

  it('escapes content and attributes, so the element parses back to what was given', () => {
    expect(escape(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text(1.26, 2, `-A & <B>`, { fill: `"x"` })) as { text: Record<string, string | number> };
    expect(parsed.text).toEqual({ '#text': '-A & <B>', x: '1.3', y: '2', fill: '"x"' });
  });
});
