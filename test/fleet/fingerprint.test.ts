// The fingerprint of an app's inputs: the same inputs give the same key; each change is named by the input it touched.
import { chmod, copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedInputs, fingerprint, readFingerprint, writeFingerprint } from '../../src/fleet/fingerprint.js';
import { loadFleet } from '../../src/fleet/load.js';
import { sha256 } from '../../src/util/hash.js';

describe('fingerprint', () => {
  let dir: string;
  const cache = process.env.TINYX_CACHE;

  /** A fleet of one app: a copy of /bin/true, a probe, a kernel "tree" with just a Makefile (nothing is built). */
  async function planFor(extra = ''): Promise<Awaited<ReturnType<typeof loadFleet>>['apps'][number]> {
    await writeFile(path.join(dir, 'fleet.yaml'), `kernel: ./linux\napps:\n  app:\n    app: ./bin/app\n    tests: ./probe.sh\n    port: 8080\n${extra}`);
    return (await loadFleet(path.join(dir, 'fleet.yaml'))).apps[0]!;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-print-'));
    // The tree's content hash is kept in the cache: a cache of the test's own.
    process.env.TINYX_CACHE = path.join(dir, 'cache');
    await mkdir(path.join(dir, 'bin'));
    await copyFile('/bin/true', path.join(dir, 'bin', 'app'));
    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'probe.sh'), 0o755);
    await mkdir(path.join(dir, 'linux', 'scripts', 'kconfig'), { recursive: true });
    await writeFile(path.join(dir, 'linux', 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 99\nSUBLEVEL = 0\nEXTRAVERSION =\n');
  });

  afterAll(() => {
    if (cache === undefined) delete process.env.TINYX_CACHE;
    else process.env.TINYX_CACHE = cache;
  });

  it('is the same for the same inputs, and names each input that changed', async () => {
    const first = await fingerprint(await planFor());
    expect(first.tree.version).toBe('6.99.0');
    expect(first.print.kernelVersion).toBe('6.99.0');
    expect((await fingerprint(await planFor())).print.key).toBe(first.print.key);

    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\necho now stricter\nexit 0\n');
    const tests = (await fingerprint(await planFor())).print;
    expect(changedInputs(first.print, tests)).toEqual(['tests']);

    await copyFile('/bin/false', path.join(dir, 'bin', 'app'));
    const app = (await fingerprint(await planFor())).print;
    expect(changedInputs(tests, app)).toEqual(['app']);

    const options = (await fingerprint(await planFor('    user: nobody\n'))).print;
    expect(changedInputs(app, options)).toEqual(['options']);

    await writeFile(path.join(dir, 'site.conf'), 'x = 1\n');
    const files = (await fingerprint(await planFor('    user: nobody\n    include: [site.conf:/etc/site.conf]\n'))).print;
    expect(changedInputs(options, files)).toEqual(['files', 'options']);
    await writeFile(path.join(dir, 'site.conf'), 'x = 2\n');
    const edited = (await fingerprint(await planFor('    user: nobody\n    include: [site.conf:/etc/site.conf]\n'))).print;
    expect(changedInputs(files, edited)).toEqual(['files']);

    await writeFile(path.join(dir, 'linux', 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 99\nSUBLEVEL = 1\nEXTRAVERSION =\n');
    const kernel = await fingerprint(await planFor('    user: nobody\n    include: [site.conf:/etc/site.conf]\n'));
    expect(changedInputs(edited, kernel.print)).toEqual(['kernel']);
    expect(kernel.print.inputs.kernel).toMatch(/^6\.99\.1-/);
  });

  it('is kept in fingerprint.json beside the result, with the time it passed', async () => {
    const { print } = await fingerprint(await planFor());
    const out = path.join(dir, 'out');
    await mkdir(out, { recursive: true });
    expect(await readFingerprint(out)).toBeUndefined();
    await writeFile(path.join(out, 'report.json'), '{"kept":[]}\n');
    await writeFingerprint(out, print, new Date('2025-04-01T03:00:00Z'));
    expect(await readFingerprint(out)).toEqual({ version: 1, ...print, passedAt: '2025-04-01T03:00:00.000Z', report: sha256('{"kept":[]}\n') });
    await writeFile(path.join(out, 'fingerprint.json'), '{"version":1}');
    expect(await readFingerprint(out)).toBeUndefined();
  });

});
