import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile } from '../../src/profile/load.js';
import { isTinyxError } from '../../src/errors.js';

describe('profiles', () => {
  it('loads the bundled default profile', async () => {
    const profile = await loadProfile();
    expect(profile.name).toBe('qemu-x86_64');
    expect(profile.kernel.base).toBe('tinyconfig');
    expect(profile.kernel.enable).toContain('VIRTIO_NET');
    expect(profile.kernel.keep).toContain('SERIAL_8250_CONSOLE');
    expect(profile.boot.cmdline).toContain('console=ttyS0');
    expect(profile.qemu.machine).toBe('pc');
  });

  it('strips CONFIG_ prefixes', () => {
    const profile = parseProfile('kernel:\n  enable: [CONFIG_NET, INET]\n', 'x.yaml');
    expect(profile.kernel.enable).toEqual(['NET', 'INET']);
  });

  it('rejects an unknown profile name with a code and advice', async () => {
    const error = await loadProfile('no-such-profile').catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_PROFILE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('no-such-profile');
  });

  it('reports each problem with its YAML line, expected vs received', () => {
    const text = ['name: broken', 'kernel:', '  base: tinyconfig', '  enable: NET', 'boot:', '  cmdline: quiet', 'qemu:', '  memory: [1, 2]'].join('\n');
    let error: unknown;
    try {
      parseProfile(text, 'broken.yaml');
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_PROFILE_INVALID')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('line 4: kernel.enable: expected a list of strings, received "NET"');
    expect(message).toContain('line 6: boot.cmdline must contain console=ttyS0');
    expect(message).toContain('line 8: qemu.memory: expected a string, received a list');
  });

  it('rejects YAML syntax errors with a line', () => {
    expect(() => parseProfile('kernel:\n  enable: [NET\n', 'bad.yaml')).toThrow(/line \d+/);
  });

  it('rejects an unknown base target', () => {
    expect(() => parseProfile('kernel:\n  base: allyesconfig\n', 'b.yaml')).toThrow(/expected one of tinyconfig, allnoconfig, defconfig, received "allyesconfig"/);
  });
});

describe('profile search settings', () => {
  it('defaults to the bisect strategy and rejects unknown ones with their line', () => {
    expect(parseProfile('name: x\n', 'x.yaml').search.strategy).toBe('bisect');
    expect(() => parseProfile('search:\n  strategy: fastest\n', 'x.yaml')).toThrow(/line 2: search.strategy: expected one of one-at-a-time, ddmin, bisect, received "fastest"/);
  });
});
