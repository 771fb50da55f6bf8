// A fleet app from a container image: `image:` instead of `app:`, its path against the fleet file's folder, fingerprinted by its config digest.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../src/fleet/file.js';
import { isTinyxError } from '../../src/errors.js';

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
