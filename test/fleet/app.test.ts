// One app of a fleet run, where it fails before anything is built: its failure is its summary, not the fleet's end.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApp } from '../../src/fleet/app.js';
import { loadFleet } from '../../src/fleet/load.js';

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
});
