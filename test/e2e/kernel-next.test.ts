// The next kernel, end to end: the default profile's start config on Debian's linux-source-6.12
// builds, boots and passes the bundled example's probe, and a bounded minimize runs through on it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import { TARBALL_DIR } from '../../src/kconfig/tarball.js';

const root = path.resolve(__dirname, '../..');
const server = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');
const NEXT = 'linux-source-6.12';

// A cold 6.12 start kernel costs about 7 minutes on 2 cores, which the cold `.ci/run` cannot spare
// (it stays under an hour only without it): run it with TINYX_E2E_NEXT=1
// (`TINYX_E2E_NEXT=1 npx vitest run --project e2e test/e2e/kernel-next.test.ts`).
const wanted = process.env.TINYX_E2E_NEXT === '1' && existsSync(`${TARBALL_DIR}/${NEXT}.tar.xz`);
describe.runIf(wanted)(`tinyx minimize on ${NEXT} (real builds and boots)`, () => {
  let out: string;
  let exitCode: number;
  let log: ReturnType<typeof capture>;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-next-'));
    log = capture();
    // One leaf candidate (SIGNALFD: hello-http does not use it), so the run is the start kernel plus one small build.
    exitCode = await runMain(['minimize', '--app', server, '--tests', probe, '--out', out, '--kernel-src', NEXT,
      '--candidates', 'SIGNALFD', '--keep-memory', '--compare-compression', 'none', '--keep-cmdline', '--final-runs', '1'], log.io);
  });

  it('builds and boots the start kernel of the newer tree, and removes what the app does not need', async () => {
    expect(exitCode, log.err.join('')).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.kernelVersion).toMatch(/^6\.12\./);
    expect(report.kernelSource).toContain(NEXT);
    expect(report.removed).toEqual(['SIGNALFD']);
    expect(report.final.optionsEnabled).toBeLessThan(report.start.optionsEnabled);
    expect(report.boot.start.readyMs).toBeGreaterThan(0);
    const config = await readFile(path.join(out, 'config'), 'utf8');
    expect(config).toContain('# CONFIG_SIGNALFD is not set');
    const run = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(run.kernel).toMatchObject({ package: NEXT });
    expect(log.err.join('')).toMatch(/kernel 6\.12\.\S+: .* \(--kernel-src/);
  });
});
