// An app that needs an option the profile's start config leaves off: its calls say so, the start config gains it, and the search keeps it (real builds and boots).
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import type { Report } from '../../src/output/report.js';

const root = path.resolve(__dirname, '../..');
const probe = path.join(root, 'examples/hello-http/probe.sh');

describe('tinyx minimize on a server that keeps its body in System V shared memory', () => {
  let code: number;
  let log: ReturnType<typeof capture>;
  let report: Report;
  let markdown: string;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-shm-'));
    const app = path.join(dir, 'shm-http');
    await execa('gcc', ['-O2', '-o', app, path.join(root, 'test/fixtures/apps/shm-http.c')]);
    const out = path.join(dir, 'out');
    log = capture();
    code = await runMain(['minimize', '--app', app, '--tests', probe, '--out', out, '--candidates', 'SYSVIPC', '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--no-prune', '--no-strip'], log.io);
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8').catch(() => '{}')) as Report;
    markdown = await readFile(path.join(out, 'report.md'), 'utf8').catch(() => '');
  }, 3_600_000);

  it('passes: the start config gained SYSVIPC, which the profile leaves off, for shmget and shmat', () => {
    expect(code, log.err.join('')).toBe(0);
    expect(report.calls?.startAdded).toEqual([{ option: 'SYSVIPC', calls: expect.arrayContaining(['shmget', 'shmat']) }]);
    expect(log.err.join('')).toMatch(/start config: \+ SYSVIPC \(shm/);
    expect(markdown).toContain('The start config gained what they need and the profile leaves off: `SYSVIPC`');
  });

  it('keeps SYSVIPC: the tests fail without it', () => {
    expect(report.kept).toContain('SYSVIPC');
    expect(report.keptReasons.SYSVIPC).toMatch(/^fail/);
  });
});
