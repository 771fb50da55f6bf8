// The start config with what the app's calls need: the options the profile leaves off are enabled, unless the profile disables them.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool } from '../../src/kconfig/kernel.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { loadProfile } from '../../src/profile/load.js';
import { makeStartConfig } from '../../src/profile/start-config.js';
import type { Profile } from '../../src/profile/types.js';

describe('makeStartConfig with extra options', () => {
  let tool: KernelConfigTool;
  let profile: Profile;

  beforeAll(async () => {
    const source = await resolveKernelSource();
    tool = new KernelConfigTool(source.dir, await mkdtemp(path.join(tmpdir(), 'tinyx-start-')));
    profile = await loadProfile();
  }, 600_000);

  it('enables what the profile leaves off and says so; what is on already or is no option is not added', async () => {
    const plain = await makeStartConfig(tool, profile, 'xz');
    expect(plain.config.get('SYSVIPC')).not.toBe('y');
    expect(plain.config.get('EPOLL')).toBe('y');
    const start = await makeStartConfig(tool, profile, 'xz', ['SYSVIPC', 'EPOLL', 'NO_SUCH_OPTION']);
    expect(start.config.get('SYSVIPC')).toBe('y');
    expect(start.added).toEqual(['SYSVIPC']);
    expect(plain.added).toEqual([]);
  }, 300_000);

  it('the profile wins: an option it disables stays off', async () => {
    const disabling = { ...profile, kernel: { ...profile.kernel, disable: ['SYSVIPC'] } };
    const start = await makeStartConfig(tool, disabling, 'xz', ['SYSVIPC']);
    expect(start.config.get('SYSVIPC')).not.toBe('y');
    expect(start.added).toEqual([]);
  }, 300_000);
});
