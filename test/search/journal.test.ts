import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/search/journal.js';
import type { Verdict } from '../../src/tester/verdict.js';

const verdict = (status: Verdict['status']): Verdict => ({
  status, reason: status, configHash: 'h', cmdline: 'console=ttyS0', built: true, buildMs: 1, bootMs: 2, testMs: 3, consoleTail: '',
});

describe('journal', () => {
  it('replays recorded verdicts after a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-journal-'));
    const first = await Journal.open(dir);
    await first.record('k1', '-A', verdict('pass'));
    await first.record('k2', '-B', verdict('fail'));
    const second = await Journal.open(dir);
    expect(second.size).toBe(2);
    expect(second.get('k1')?.status).toBe('pass');
    expect(second.get('k2')?.status).toBe('fail');
    expect(second.get('k3')).toBeUndefined();
  });

  it('ignores a torn last line left by a crash', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-journal-'));
    const journal = await Journal.open(dir);
    await journal.record('k1', '-A', verdict('pass'));
    await appendFile(journal.file, '{"key":"k2","label":"-B","verd');
    const reopened = await Journal.open(dir);
    expect(reopened.size).toBe(1);
    await reopened.record('k3', '-C', verdict('panic'));
    const lines = (await readFile(journal.file, 'utf8')).split('\n');
    expect(lines.some((l) => l.includes('"k3"'))).toBe(true);
  });
});
