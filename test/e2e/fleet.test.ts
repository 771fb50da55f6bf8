// `tinyx fleet run` for real: two bundled examples minimized (bounded searches), run again with nothing changed (no build,
// both unchanged), then hello-http rebuilt so that it needs EPOLL, which the first run removed: only it is searched
// again, from its previous result, and the summary names EPOLL.
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import type { AppSummary, FleetSummary } from '../../src/fleet/summary.js';

const root = path.resolve(__dirname, '../..');
const examples = path.join(root, 'examples');

/** A C file linked into hello-http: the server exits at once unless the kernel has epoll. */
const NEEDS_EPOLL = `#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
__attribute__((constructor)) static void need_epoll(void) {
  int fd = epoll_create1(0);
  if (fd < 0) { perror("server: epoll_create1"); exit(1); }
}
`;

describe('tinyx fleet run on hello-http and sh-status (real builds and boots)', () => {
  let dir: string;
  let out: string;
  let fleet: string;
  const runs: { code: number; log: ReturnType<typeof capture>; summary: FleetSummary }[] = [];
  const app = (run: number, name: string) => runs[run]!.summary.apps.find((a) => a.name === name) as AppSummary;
  const fleetRun = async () => {
    const log = capture();
    const code = await runMain(['fleet', 'run', fleet, '--out', out], log.io);
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as FleetSummary;
    runs.push({ code, log, summary });
  };
  const journalLines = async (name: string) => (await readFile(path.join(out, name, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean).length;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-fleet-'));
    out = path.join(dir, 'out');
    // hello-http's binary is the fleet's own copy, so the test can rebuild it.
    await mkdir(path.join(dir, 'hello-http'));
    await copyFile(path.join(examples, 'hello-http/build/server'), path.join(dir, 'hello-http/server'));
    fleet = path.join(dir, 'fleet.yaml');
    // Bounded: EPOLL is the only candidate, the boot line, the memory and the other compressors are not searched, the
    // result is booted once.
    await writeFile(fleet, [
      'defaults:',
      '  candidates: [EPOLL]',
      '  keep-cmdline: true',
      '  keep-memory: true',
      '  compare-compression: none',
      '  final-runs: 1',
      'apps:',
      '  hello-http:',
      '    app: ./hello-http/server',
      `    tests: ${path.join(examples, 'hello-http/probe.sh')}`,
      '    port: 80',
      '  sh-status:',
      `    app: ${path.join(examples, 'sh-status/status.sh')}`,
      `    tests: ${path.join(examples, 'sh-status/probe.sh')}`,
      '    port: 18094',
      '    trace: true',
      '    user: nobody',
      '    env: { GREETING: hi, PORT: "18094" }',
      '',
    ].join('\n'));
    await fleetRun();
  });

  it('first run: minimizes both apps into DIR/<app>/, each with the output of tinyx minimize and its fingerprint', async () => {
    const first = runs[0]!;
    expect(first.code, first.log.err.join('')).toBe(0);
    expect(first.summary).toMatchObject({ passed: true, counts: { minimized: 2, unchanged: 0, failed: 0 } });
    for (const name of ['hello-http', 'sh-status']) {
      expect(app(0, name)).toMatchObject({ status: 'minimized', firstRun: true, warmStart: null });
      const files = await readdir(path.join(out, name));
      for (const file of ['bzImage', 'config', 'defconfig', 'cmdline', 'run.sh', 'report.json', 'report.md', 'fingerprint.json']) expect(files).toContain(file);
    }
    const report = JSON.parse(await readFile(path.join(out, 'hello-http/report.json'), 'utf8'));
    expect(report.removed).toContain('EPOLL');
    expect(await readFile(path.join(out, 'hello-http/config'), 'utf8')).toContain('# CONFIG_EPOLL is not set');
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toContain('| hello-http | minimized (first run) |');
  });

  it('second run, nothing changed: 0 builds, both unchanged after one confirming boot each, results untouched', async () => {
    const reports = await Promise.all(['hello-http', 'sh-status'].map((n) => readFile(path.join(out, n, 'report.json'), 'utf8')));
    const journals = await Promise.all(['hello-http', 'sh-status'].map(journalLines));
    await fleetRun();
    const second = runs[1]!;
    expect(second.code, second.log.err.join('')).toBe(0);
    expect(second.summary.counts).toEqual({ minimized: 0, unchanged: 2, failed: 0 });
    for (const [i, name] of ['hello-http', 'sh-status'].entries()) {
      expect(app(1, name)).toMatchObject({ status: 'unchanged', builds: 0, inputsChanged: [], options: { added: [], removed: [] } });
      expect(await readFile(path.join(out, name, 'report.json'), 'utf8')).toBe(reports[i]);
      // No evaluation at all (the confirming boot is not a search's verdict), and nothing went into history.
      expect(await journalLines(name)).toBe(journals[i]);
      expect(await readdir(path.join(out, name, 'history')).catch(() => [])).toEqual([]);
      const confirms = (await readdir(path.join(out, name, '.work', 'logs'))).filter((d) => d.startsWith('fleet-confirm-'));
      expect(confirms.length).toBeGreaterThanOrEqual(1);
    }
    const log = second.log.err.join('');
    expect(log).toMatch(/hello-http: inputs unchanged since the result of .*: one confirming boot, no build/);
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z fleet\] /m);
  });

  it('after hello-http is rebuilt to need EPOLL: only it is searched again, from its previous result, and the summary names EPOLL', async () => {
    await writeFile(path.join(dir, 'needs-epoll.c'), NEEDS_EPOLL);
    const built = path.join(dir, 'hello-http/server.new');
    await execa('cc', ['-O2', '-o', built, path.join(examples, 'hello-http/server.c'), path.join(dir, 'needs-epoll.c')]);
    await rename(built, path.join(dir, 'hello-http/server'));
    await fleetRun();
    const third = runs[2]!;
    expect(third.code, third.log.err.join('')).toBe(0);
    expect(third.summary.counts).toEqual({ minimized: 1, unchanged: 1, failed: 0 });
    expect(app(2, 'sh-status')).toMatchObject({ status: 'unchanged', builds: 0 });
    const hello = app(2, 'hello-http');
    expect(hello).toMatchObject({ status: 'minimized', firstRun: false, inputsChanged: ['app'] });
    expect(hello.options.added).toContain('EPOLL');
    expect(hello.options.removed).toEqual([]);
    expect(hello.needed.added).toContain('EPOLL');
    expect(hello.builds).toBeLessThanOrEqual(1);
    // It started from its previous result, which is now its one history entry.
    const history = await readdir(path.join(out, 'hello-http/history'));
    expect(history).toHaveLength(1);
    expect(hello.warmStart).toBe(path.join(out, 'hello-http/history', history[0]!));
    expect((await readdir(hello.warmStart!)).sort()).toEqual(expect.arrayContaining(['config', 'defconfig', 'report.json']));
    expect(await readFile(path.join(hello.warmStart!, 'config'), 'utf8')).toContain('# CONFIG_EPOLL is not set');
    const report = JSON.parse(await readFile(path.join(out, 'hello-http/report.json'), 'utf8'));
    expect(report.guess.source).toBe('from');
    expect(report.kept).toContain('EPOLL');
    expect(await readFile(path.join(out, 'hello-http/config'), 'utf8')).toContain('CONFIG_EPOLL=y');
    const md = await readFile(path.join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| hello-http | minimized (app changed) | +1 -0 |');
    expect(md).toContain('- Options added: `EPOLL`');
    expect((await stat(path.join(out, 'hello-http/fingerprint.json'))).isFile()).toBe(true);
  });
});
