// One app of a fleet run, where it fails before anything is built: its failure is its summary, not the fleet's end; its out dir is locked while it runs.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApp } from '../../src/fleet/app.js';
import { loadFleet } from '../../src/fleet/load.js';
import { OUT_LOCK_FILE } from '../../src/output/lock.js';

/** The compiled CLI (scripts/setup.sh builds dist/, as `npm test` does first). */
const CLI = path.resolve(__dirname, '../../dist/cli/main.js');

describe('runApp', () => {
  it('fails an app whose binary or tests are missing before the kernel is looked at', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-app-'));
    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'probe.sh'), 0o755);
    // No such kernel tree either: it is never reached.
    await writeFile(path.join(dir, 'fleet.yaml'), [
      'kernel: ./no-such-tree', 'apps:',
      '  gone:', '    app: ./bin/gone', '    tests: ./probe.sh',
      '  untested:', '    app: /bin/true', '    tests: ./no-probe.sh', '',
    ].join('\n'));
    const plan = await loadFleet(path.join(dir, 'fleet.yaml'));
    const said: string[] = [];
    const run = { dir: path.join(dir, 'out'), keepHistory: 7, say: (m: string) => said.push(m), onEvent: () => undefined };
    expect(await runApp(plan.apps[0]!, run)).toMatchObject({
      name: 'gone', status: 'failed', builds: null, firstRun: true, out: path.join(dir, 'out', 'gone'),
      error: { code: 'TINYX_APP_NOT_FOUND' }, bzImage: { bytes: null, previous: null, change: null },
    });
    expect((await runApp(plan.apps[1]!, run)).error?.code).toBe('TINYX_TESTS_NOT_FOUND');
    expect(said.join('\n')).toContain(`gone: failed (TINYX_APP_NOT_FOUND): App not found: ${path.join(dir, 'bin', 'gone')}.`);
  });

  it('holds the app\'s out dir while it works there: a tinyx minimize into it meanwhile is refused with TINYX_OUT_LOCKED', async () => {
    expect(existsSync(CLI), `${CLI}: run scripts/setup.sh (npm run build)`).toBe(true);
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-app-lock-'));
    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'probe.sh'), 0o755);
    await writeFile(path.join(dir, 'fleet.yaml'), ['apps:', '  gone:', '    app: ./bin/gone', '    tests: ./probe.sh', ''].join('\n'));
    const plan = await loadFleet(path.join(dir, 'fleet.yaml'));
    // The app's last result has a FIFO for report.json: the fleet, reading it, waits there until the test writes to it.
    const out = path.join(dir, 'out', 'gone');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'bzImage'), 'kernel');
    await execa('mkfifo', [path.join(out, 'report.json')]);
    const app = runApp(plan.apps[0]!, { dir: path.join(dir, 'out'), keepHistory: 7, say: () => undefined, onEvent: () => undefined });
    try {
      for (const end = Date.now() + 30_000; !existsSync(path.join(out, OUT_LOCK_FILE)); await new Promise((r) => setTimeout(r, 100))) {
        expect(Date.now()).toBeLessThan(end);
      }
      const user = await execa('node', [CLI, 'minimize', '--app', '/bin/true', '--tests', path.join(dir, 'probe.sh'), '--out', out], { reject: false });
      expect(user.exitCode, user.stderr).toBe(2);
      expect(user.stderr).toContain('TINYX_OUT_LOCKED');
      expect(user.stderr).toContain(`(pid ${process.pid}, still running;`);
    } finally {
      await writeFile(path.join(out, 'report.json'), '');
    }
    expect((await app).error?.code).toBe('TINYX_APP_NOT_FOUND');
    expect(existsSync(path.join(out, OUT_LOCK_FILE))).toBe(false);
  }, 120_000);
});
