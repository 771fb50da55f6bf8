import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleWatcher } from '../../src/tester/console.js';
import { LogFile } from '../../src/tester/logfile.js';

async function watcher() {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'tinyx-console-')), 'console.log');
  return { file, watcher: new ConsoleWatcher(new LogFile(file)) };
}

describe('console watcher', () => {
  it('matches a line that arrives later, across chunk boundaries', async () => {
    const { watcher: w } = await watcher();
    const waiting = w.waitFor([/^TINYX-APP-STARTED/], 2_000);
    w.feed(Buffer.from('Linux version 6.1\r\nTINYX-APP-'));
    w.feed(Buffer.from('STARTED\r\n'));
    expect((await waiting)?.line).toBe('TINYX-APP-STARTED');
  });

  it('finds a line already seen, and says which pattern matched', async () => {
    const { watcher: w } = await watcher();
    w.feed(Buffer.from('Kernel panic - not syncing: No working init found.\n'));
    const panic = /Kernel panic/;
    const found = await w.waitFor([/^TINYX/, panic], 1_000);
    expect(found?.pattern).toBe(panic);
  });

  it('tells when each line arrived, for a line seen earlier as for one that comes later', async () => {
    const { watcher: w } = await watcher();
    const before = Date.now();
    w.feed(Buffer.from('Run /init as init process\n'));
    await new Promise((r) => setTimeout(r, 60));
    const later = w.waitFor([/^TINYX-APP-STARTED/], 2_000);
    w.feed(Buffer.from('TINYX-APP-STARTED\n'));
    const init = (await w.waitFor([/Run \S+ as init process/], 0))!;
    const app = (await later)!;
    expect(init.at).toBeGreaterThanOrEqual(before);
    expect(app.at - init.at).toBeGreaterThanOrEqual(50);
    expect((await w.waitFor([/Run \S+ as init process/], 0))!.at).toBe(init.at);
  });

  it('gives up on timeout and on end of stream, and keeps the whole log', async () => {
    const { file, watcher: w } = await watcher();
    w.feed(Buffer.from('booting\n'));
    expect(await w.waitFor([/never/], 50)).toBeUndefined();
    const waiting = w.waitFor([/never/], 5_000);
    w.feed(Buffer.from('last line without newline'));
    await w.close();
    expect(await waiting).toBeUndefined();
    expect(w.ended).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('booting\nlast line without newline');
    expect(await w.waitFor([/last line/], 50)).toMatchObject({ line: 'last line without newline' });
  });
});
