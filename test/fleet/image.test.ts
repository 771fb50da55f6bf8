// A fleet app from a container image: `image:` instead of `app:`, its path against the fleet file's folder, fingerprinted by its config digest.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../src/fleet/file.js';
import { isTinyxError } from '../../src/errors.js';
import { changedInputs, fingerprint } from '../../src/fleet/fingerprint.js';
import { loadFleet } from '../../src/fleet/load.js';
import { inspectImage } from '../../src/image/index.js';

const root = path.resolve(__dirname, '../..');

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('a fleet app from an image', () => {
  it('takes image: in place of app:, as a path from the fleet file\'s folder', () => {
    const fleet = parseFleet(lines('apps:', '  web:', '    image: images/web.tar', '    tests: probe.sh'), '/srv/fleet/fleet.yaml');
    expect(fleet.apps[0]!.flags).toMatchObject({ image: '/srv/fleet/images/web.tar', tests: '/srv/fleet/probe.sh' });
    expect(fleet.apps[0]!.flags.app).toBeUndefined();
  });

  it('refuses an app with both app: and image:, or neither, with its line', () => {
    for (const keys of [['    app: a', '    image: b.tar'], []]) {
      try {
        parseFleet(lines('apps:', '  web:', ...keys, '    tests: t'), '/srv/fleet/fleet.yaml');
        throw new Error('accepted');
      } catch (error) {
        expect(isTinyxError(error, 'TINYX_FLEET_INVALID'), String(error)).toBe(true);
        expect((error as Error).message).toContain('line 2: apps.web: needs app: or image: (one of them; its own, or under defaults)');
      }
    }
  });
});

describe('the fingerprint of a fleet app from an image', () => {
  it('is the image\'s config digest for the program and its files: another image changes both, nothing is unpacked', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-image-'));
    const cache = process.env.TINYX_CACHE;
    process.env.TINYX_CACHE = path.join(dir, 'cache');
    try {
      await mkdir(path.join(dir, 'linux', 'scripts', 'kconfig'), { recursive: true });
      await writeFile(path.join(dir, 'linux', 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 99\nSUBLEVEL = 0\nEXTRAVERSION =\n');
      await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const printOf = async (image: string) => {
        await writeFile(path.join(dir, 'fleet.yaml'), `kernel: ./linux\napps:\n  web:\n    image: ${image}\n    tests: ./probe.sh\n`);
        return (await fingerprint((await loadFleet(path.join(dir, 'fleet.yaml'))).apps[0]!)).print;
      };
      const web = path.join(dir, 'web.tar');
      await copyFile(path.join(root, 'examples/images/hello-http.tar'), web);
      const glibc = await printOf(web);
      const source = await inspectImage(path.join(root, 'examples/images/hello-http.tar'), { cacheRoot: path.join(dir, 'cache') });
      await source.close();
      expect(glibc.inputs.app).toBe(source.configDigest);
      expect(glibc.inputs.files).toBe(source.configDigest);
      expect((await printOf(web)).key).toBe(glibc.key);
      // Another image at the same path: only what the digest stands for changed.
      await copyFile(path.join(root, 'examples/images/hello-http-musl.tar'), web);
      const musl = await printOf(web);
      expect(changedInputs(glibc, musl)).toEqual(['app', 'files']);
      expect(existsSync(path.join(dir, 'cache', 'images', source.configDigest.replace(':', '-')))).toBe(false);
    } finally {
      if (cache === undefined) delete process.env.TINYX_CACHE;
      else process.env.TINYX_CACHE = cache;
    }
  });
});
