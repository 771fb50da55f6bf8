// Candidate planning with the real Kconfig engine, cross-checked against the kernel's olddefconfig.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { makeStartConfig } from '../../src/kconfig/start.js';
import { resolveKernelSource } from '../../src/kconfig/source.js';
import { canonicalDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { planCandidates } from '../../src/search/candidates.js';

describe('candidate planning', () => {
  let tool: KernelConfigTool;
  let model: KconfigModel;
  let start: DotConfig;
  let profile: Profile;

  beforeAll(async () => {
    const source = await resolveKernelSource();
    tool = new KernelConfigTool(source.dir, await mkdtemp(path.join(tmpdir(), 'tinyx-cand-')));
    profile = await loadProfile();
    start = (await makeStartConfig(tool, profile)).config;
    model = await loadKconfig(source.dir, { arch: 'x86' }); // plain make: ARCH=x86, 64BIT has a prompt
  }, 600_000);

  it('lists user-changeable options with their menus, not the profile\'s kept ones', () => {
    const plan = planCandidates(start, profile, model);
    const names = plan.candidates.map((c) => c.name);
    expect(names).toContain('VIRTIO_NET');
    expect(names).toContain('SIGNALFD');
    expect(names).not.toContain('SERIAL_8250_CONSOLE');
    expect(names).not.toContain('X86_64');
    expect(plan.candidates.find((c) => c.name === 'VIRTIO_NET')?.menuPath?.join(' > ')).toMatch(/Network device support/);
    expect(plan.candidates.length).toBeLessThan(start.size);
  });

  it('narrows to --candidates and rejects names that are not enabled', () => {
    const plan = planCandidates(start, profile, model, ['CONFIG_VIRTIO_NET', 'SIGNALFD']);
    expect(plan.candidates.map((c) => c.name)).toEqual(['VIRTIO_NET', 'SIGNALFD']);
    expect(() => planCandidates(start, profile, model, ['NO_SUCH_OPTION'])).toThrow(/not enabled in the start config: NO_SUCH_OPTION/);
  });

  it('agrees with the kernel\'s olddefconfig on which removals are no-ops', async () => {
    const plan = planCandidates(start, profile, undefined);
    const startText = canonicalDotConfig(await tool.olddefconfig(start));
    const withModel = planCandidates(start, profile, model);
    // A spread of enabled options, including some the engine does not offer as candidates.
    const sample = plan.candidates.filter((_, i) => i % 60 === 0).map((c) => c.name);
    for (const name of sample) {
      const kernelNoop = canonicalDotConfig(await tool.olddefconfig(withValues(start, [name], 'n'))) === startText;
      expect(withModel.isNoop!(name), name).toBe(kernelNoop);
    }
  }, 900_000);
});
