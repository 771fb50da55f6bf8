// The run journal: verdicts replayed after a restart, and none lost after a crash tore its last line.
import { execa } from 'execa';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../src/search/journal.js';
import type { Verdict } from '../../src/tester/verdict.js';

const verdict = (status: Verdict['status']): Verdict => ({
  status, reason: status, configHash: 'h', cmdline: 'console=ttyS0', built: true, buildMs: 1, bootMs: 2, testMs: 3, consoleTail: '',
});

/** Every line of the journal file, each parsed as JSON (throws on any line that is not a whole record). */
async function parsedLines(file: string): Promise<JournalEntry[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as JournalEntry);
}

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

  it('keeps the verdict recorded after a torn last line, on the next resume too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-journal-'));
    const journal = await Journal.open(dir);
    await journal.record('k1', '-A', verdict('pass'));
    await journal.record('k2', '-B', verdict('fail'));
    await appendFile(journal.file, '{"key":"k9","label":"-Z","verd');
    const reopened = await Journal.open(dir);
    expect(reopened.size).toBe(2);
    await reopened.record('k3', '-C', verdict('panic'));
    const again = await Journal.open(dir);
    expect(again.size).toBe(3);
    expect([again.get('k1')?.status, again.get('k2')?.status, again.get('k3')?.status]).toEqual(['pass', 'fail', 'panic']);
    expect(again.get('k9')).toBeUndefined();
    expect((await parsedLines(journal.file)).map((e) => e.key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('recovers from a process killed in the middle of an append', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-journal-'));
    const journal = await Journal.open(dir);
    await journal.record('k1', '-A', verdict('pass'));
    // A real writer that gets half a record out, then dies by SIGKILL before the rest.
    const line = JSON.stringify({ key: 'k2', label: '-B', verdict: verdict('fail'), at: new Date().toISOString() }) + '\n';
    const writer = execa('node', ['-e', `
      const fs = require('node:fs');
      const fd = fs.openSync(process.argv[1], 'a');
      fs.writeSync(fd, process.argv[2].slice(0, 40));
      fs.fsyncSync(fd);
      process.stdout.write('torn\\n');
      setInterval(() => {}, 1000);
    `, journal.file, line], { reject: false });
    writer.stdout?.once('data', () => writer.kill('SIGKILL'));
    expect((await writer).signal).toBe('SIGKILL');
    const torn = await readFile(journal.file, 'utf8');
    expect(torn.endsWith('\n')).toBe(false);

    const resumed = await Journal.open(dir);
    expect(resumed.size).toBe(1);
    await resumed.record('k2', '-B', verdict('fail'));
    await resumed.record('k3', '-C', verdict('pass'));
    const again = await Journal.open(dir);
    expect([again.get('k1')?.status, again.get('k2')?.status, again.get('k3')?.status]).toEqual(['pass', 'fail', 'pass']);
    expect((await parsedLines(journal.file)).map((e) => e.key)).toEqual(['k1', 'k2', 'k3']);
  });
});
