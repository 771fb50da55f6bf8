// Spinner or plain lines: a terminal that reports no size (a pty opened from no terminal is 0x0) gets plain lines, as a log does.
import { describe, expect, it } from 'vitest';
import { drawsSpinner } from '../../src/cli/io.js';
import { progressListener } from '../../src/cli/progress.js';

const terminal = (columns?: number, rows?: number) => ({ isTTY: true, columns, rows });

describe('drawsSpinner', () => {
  it('a terminal of 0 columns, 0 rows or no size gets the plain lines of a log', () => {
    for (const stream of [terminal(0, 0), terminal(0, 40), terminal(120, 0), terminal(), { isTTY: false, columns: 120, rows: 40 }]) {
      const err: string[] = [];
      const { listener, stop } = progressListener({ stdout: () => undefined, stderr: (t) => err.push(t), interactive: drawsSpinner(stream, {}) }, { clock: () => '00:00' });
      listener({ type: 'stage', stage: 'sanity', message: 'building and booting the start config' });
      listener({ type: 'evaluate', label: 'start', phase: 'build', done: 0 });
      stop();
      expect(err).toEqual(['[00:00] == building and booting the start config\n', '[00:00]    build start\n']);
    }
  });

  it('a terminal with a size gets the spinner, but not in CI nor on a dumb terminal', () => {
    expect(drawsSpinner(terminal(120, 40), { TERM: 'xterm' })).toBe(true);
    expect(drawsSpinner(terminal(120, 40), {})).toBe(true);
    expect(drawsSpinner(terminal(120, 40), { CI: 'true' })).toBe(false);
    expect(drawsSpinner(terminal(120, 40), { TERM: 'dumb' })).toBe(false);
  });
});
