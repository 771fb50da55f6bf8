// SVG building blocks for report.svg: escaped text, coordinates that print the same every time, round axis ticks, byte figures.

/** Round multiples of 1, 2 or 5 times a power of ten between min and max, about `count` of them, `least` apart at least. */
export function niceTicks(min: number, max: number, count: number, least = 0): number[] {
  const step = Math.max(least, niceStep((max - min) / count));
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The round step (1, 2 or 5 times a power of ten) at or above `raw`; 1 for nothing. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** A <text> element, its content and attributes escaped. */
export function text(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): string {
  const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escape(String(v))}"`).join('');
  return `<text x="${num(x)}" y="${num(y)}"${extra}>${escape(content)}</text>`;
}

/** Bytes as people read them: bytes under 1 KiB, KiB (one decimal under 100 KiB) above. */
export function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 100 * 1024 ? 1 : 0)} KiB`;
}

/** Coordinates with one decimal, so the same report always gives the same bytes. */
export function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Text safe in XML content and attribute values. */
export function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
