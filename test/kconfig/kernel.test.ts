// Runs the kernel's own Kconfig tools (real make, real conf) in a scratch O= dir.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import type { KernelSource } from '../../src/kconfig/source.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { makeStartConfig } from '../../src/profile/start-config.js';
import { enabledSymbols, diffDotConfig } from '../../src/kconfig/dotconfig.js';
import { loadProfile, parseProfile } from '../../src/profile/load.js';

describe('kernel Kconfig tools', () => {
  let source: KernelSource;
  let tool: KernelConfigTool;

  beforeAll(async () => {
    source = await resolveKernelSource();
    tool = new KernelConfigTool(source.dir, await mkdtemp(path.join(tmpdir(), 'tinyx-kconfig-')));
  }, 600_000);

  it('makes the profile start config: networking on, harness options kept', async () => {
    const { config, unmet } = await makeStartConfig(tool, await loadProfile(), 'xz');
    expect(unmet).toEqual([]);
    for (const name of ['64BIT', 'INET', 'VIRTIO_NET', 'SERIAL_8250_CONSOLE', 'BLK_DEV_INITRD']) expect(config.get(name)).toBe('y');
    expect(enabledSymbols(config).length).toBeGreaterThan(500);
  }, 600_000);

  it('refuses a profile whose harness names an option the start config does not enable', async () => {
    const profile = parseProfile('kernel:\n  enable: [TTY]\n  harness:\n    always: [TTY]\n    network: [NET]\n', 'no-net.yaml');
    await expect(makeStartConfig(tool, profile, 'xz')).rejects.toMatchObject({
      code: 'TINYX_PROFILE_INVALID',
      message: expect.stringContaining('kernel.harness.network lists options that are not enabled in the start config: NET') as string,
    });
  }, 600_000);

  it('normalizes a removal that the kernel undoes into a no-op', async () => {
    const base = await tool.olddefconfig(await tool.baseConfig('tinyconfig'));
    const withNet = await tool.olddefconfig(withValues(base, ['NET', 'INET'], 'y'));
    expect(withNet.get('INET')).toBe('y');
    // X86_64 has no prompt: it follows 64BIT, so turning it off alone changes nothing.
    const noop = await tool.olddefconfig(withValues(withNet, ['X86_64'], 'n'));
    expect(diffDotConfig(noop, withNet)).toEqual([]);
    // NET takes INET (and what depends on it) along.
    const cut = await tool.olddefconfig(withValues(withNet, ['NET'], 'n'));
    expect(cut.get('INET') ?? 'n').toBe('n');
    expect(diffDotConfig(cut, withNet)).toContain('NET');
  }, 600_000);

  it('keeps the source tree pristine', async () => {
    const top = await readdir(source.dir);
    expect(top).not.toContain('.config');
    expect(top).not.toContain('include/config');
    expect(await readdir(path.join(source.dir, 'include'))).not.toContain('generated');
  });
});
