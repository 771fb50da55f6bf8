// A server whose config file no analysis of its binary finds: the start VM misses it, the host has
// it, so minimize traces the app on this host and tries once more, and passes (real builds and boots).
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import type { Report } from '../../src/output/report.js';

const root = path.resolve(__dirname, '../..');
const probe = path.join(root, 'examples/hello-http/probe.sh');

describe('tinyx minimize on a server that reads a config file its binary does not name', () => {
  let dir: string;
  let conf: string;
  let app: string;
  const minimize = async (out: string, ...more: string[]) => {
    const log = capture();
    const code = await runMain(['minimize', '--app', app, '--tests', probe, '--port', '80', '--out', out, '--candidates', 'SIGNALFD', '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--no-prune', '--no-strip', ...more], log.io);
    return { code, err: log.err.join('') };
  };

  beforeAll(async () => {
    // Not under /tmp: a trace leaves out what the app keeps there (scratch, not part of the app).
    await mkdir('/opt', { recursive: true });
    dir = await mkdtemp('/opt/tinyx-e2e-conf-');
    conf = path.join(dir, 'etc/conf-http.conf');
    await mkdir(path.dirname(conf), { recursive: true });
    await writeFile(conf, 'hello from tinyx\n');
    app = path.join(dir, 'conf-http');
    await execa('gcc', ['-O2', `-DCONF="${conf}"`, '-o', app, path.join(root, 'test/fixtures/apps/conf-http.c')]);
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the start VM misses the file, which this host has: traced and tried once more, it passes with the file in the VM', async () => {
    const out = path.join(dir, 'out');
    const { code, err } = await minimize(out);
    expect(code, err).toBe(0);
    expect(err).toContain(`the start VM misses ${conf}, which this host has: tracing the app (--trace) and trying once more (--no-trace: never)`);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(report.rootfs.traceAdded).toContain(conf);
    const run = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { trace?: boolean };
    expect(run.trace).toBe(true);
  }, 3_600_000);

  it('with --no-trace it stops at the start VM, naming the file', async () => {
    const { code, err } = await minimize(path.join(dir, 'out-no-trace'), '--no-trace');
    expect(code).not.toBe(0);
    expect(err).toContain('TINYX_START_FAILS');
    expect(err).toContain(`${conf} is not in the VM, but this host has it`);
    expect(err).not.toContain('trying once more');
  }, 3_600_000);
});
