// An app's earlier results under history/<stamp>/: copied whole before a new result replaces them, pruned to the last N.
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveResult, entriesToPrune, historyEntries, pruneHistory, stampOf } from '../../src/fleet/history.js';

async function outDir(report = '{"kept":[]}\n'): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-history-'));
  for (const [name, text] of [['config', 'CONFIG_NET=y\n'], ['defconfig', 'CONFIG_NET=y\n'], ['report.json', report], ['cmdline', 'console=ttyS0\n'], ['run.json', '{"port":80}\n'], ['bzImage', 'kernel']]) {
    await writeFile(path.join(out, name!), text!);
  }
  return out;
}

describe('history', () => {
  it('names entries by the time the result passed, in UTC to the second, without colons', () => {
    expect(stampOf(new Date('2025-01-31T03:00:12.345Z'))).toBe('2025-01-31T03-00-12Z');
  });

  it('copies config, defconfig, report.json (and cmdline, run.json) into history/<stamp>/, not the kernel', async () => {
    const out = await outDir();
    const entry = await archiveResult(out, new Date('2025-01-31T03:00:12Z'));
    expect(entry).toBe(path.join(out, 'history', '2025-01-31T03-00-12Z'));
    expect((await readdir(entry)).sort()).toEqual(['cmdline', 'config', 'defconfig', 'report.json', 'run.json']);
    expect(await readFile(path.join(entry, 'config'), 'utf8')).toBe('CONFIG_NET=y\n');
    // The result stays in the out dir until a new one replaces it.
    expect(await readFile(path.join(out, 'bzImage'), 'utf8')).toBe('kernel');
  });

  it('reuses the entry that already holds the same result, and numbers a different one of the same second', async () => {
    const out = await outDir();
    const when = new Date('2025-02-01T03:00:00Z');
    const first = await archiveResult(out, when);
    expect(await archiveResult(out, when)).toBe(first);
    await writeFile(path.join(out, 'report.json'), '{"kept":["EPOLL"]}\n');
    expect(await archiveResult(out, when)).toBe(`${first}-2`);
    expect(await historyEntries(out)).toEqual(['2025-02-01T03-00-00Z', '2025-02-01T03-00-00Z-2']);
  });

  it('prunes to the newest N, oldest first, numbered entries after their base', async () => {
    expect(entriesToPrune(['2025-01-03T00-00-00Z', '2025-01-01T00-00-00Z', '2025-01-02T00-00-00Z-2', '2025-01-02T00-00-00Z'], 2))
      .toEqual(['2025-01-01T00-00-00Z', '2025-01-02T00-00-00Z']);
    expect(entriesToPrune(['2025-01-01T00-00-00Z'], 7)).toEqual([]);
    expect(entriesToPrune(['2025-01-01T00-00-00Z'], 0)).toEqual(['2025-01-01T00-00-00Z']);
    const out = await outDir();
    for (let day = 1; day <= 9; day++) await archiveResult(out, new Date(`2025-03-0${day}T03:00:00Z`)).then(() => writeFile(path.join(out, 'report.json'), `{"kept":[],"day":${day}}\n`));
    await mkdir(path.join(out, 'history', 'notes'));
    const removed = await pruneHistory(out, 7);
    expect(removed).toEqual(['2025-03-01T03-00-00Z', '2025-03-02T03-00-00Z']);
    expect((await historyEntries(out))).toHaveLength(7);
    expect((await historyEntries(out))[0]).toBe('2025-03-03T03-00-00Z');
    // What is not an entry is left alone.
    expect(await readdir(path.join(out, 'history'))).toContain('notes');
  });
});
