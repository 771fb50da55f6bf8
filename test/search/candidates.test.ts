// Candidate planning with the real Kconfig engine, cross-checked against the kernel's olddefconfig.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { makeStartConfig } from '../../src/profile/start-config.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { canonicalDotConfig, parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { planCandidates } from '../../src/search/candidates.js';
import { harnessNeeds } from '../../src/profile/harness.js';

describe('candidate planning', () => {
  let tool: KernelConfigTool;
  let model: KconfigModel;
  let start: DotConfig;
  let profile: Profile;

  beforeAll(async () => {
    const source = await resolveKernelSource();
    tool = new KernelConfigTool(source.dir, await mkdtemp(path.join(tmpdir(), 'tinyx-cand-')));
    profile = await loadProfile();
    start = (await makeStartConfig(tool, profile, 'xz')).config;
    model = await loadKconfig(source.dir, { arch: 'x86' }); // plain make: ARCH=x86, 64BIT has a prompt
  }, 600_000);

  it('keeps each profile\'s harness closed with a network and a disk root, or volumes: removing no candidate turns a harness option off', async () => {
    const network = { guestPort: 80 };
    // Each list alone: one list's options must not lean on the other's.
    for (const [name, disks] of [['qemu-x86_64', { rootDisk: true }], ['qemu-x86_64', { volumes: true }], ['qemu-microvm', { rootDisk: true }], ['qemu-microvm', { volumes: true }]] as const) {
      const own = await loadProfile(name);
      const config = (await makeStartConfig(tool, own, 'zstd', [], disks)).config;
      const harness = new Set(harnessNeeds(own, network, 'zstd', disks));
      const { candidates } = planCandidates(config, own, model, { network, compression: 'zstd', disks });
      const breaking = candidates.flatMap((c) => {
        const after = model.disable(config, [c.name]).config;
        const off = [...harness].filter((n) => config.get(n) === 'y' && after.get(n) !== 'y');
        return off.length ? [`${c.name} turns off ${off.join(', ')}`] : [];
      });
      expect(breaking, `${name} ${JSON.stringify(disks)}`).toEqual([]);
    }
  }, 600_000);

  it('lists user-changeable options with their menus, not the profile\'s kept ones', () => {
    const plan = planCandidates(start, profile, model, { compression: 'xz' });
    const names = plan.candidates.map((c) => c.name);
    expect(names).toContain('VIRTIO_NET');
    expect(names).toContain('SIGNALFD');
    expect(names).not.toContain('SERIAL_8250_CONSOLE');
    expect(names).not.toContain('X86_64');
    expect(plan.candidates.find((c) => c.name === 'VIRTIO_NET')?.menuPath?.join(' > ')).toMatch(/Network device support/);
    expect(plan.candidates.length).toBeLessThan(start.size);
  });

  it('keeps the harness out: always, and the network path with a port; --port 0 searches the network too', () => {
    const network = profile.kernel.harness.network;
    const served = planCandidates(start, profile, model, { network: { guestPort: 80 }, compression: 'xz' }).candidates.map((c) => c.name);
    const offline = planCandidates(start, profile, model, { compression: 'xz' }).candidates.map((c) => c.name);
    for (const name of harnessNeeds(profile, undefined, 'xz')) {
      expect(served, name).not.toContain(name);
      expect(offline, name).not.toContain(name);
    }
    for (const name of network) {
      expect(served, name).not.toContain(name);
      expect(offline, name).toContain(name);
    }
    expect(offline.filter((n) => !served.includes(n)).sort()).toEqual([...network].sort());
    // What hangs under a harness option stays a candidate (the vendor gates under NETDEVICES, legacy virtio).
    expect(served).toContain('ETHERNET');
    expect(served).toContain('VIRTIO_PCI_LEGACY');
    // The Kconfig closes the set: no candidate left at port 80 turns a harness option off.
    const harness = harnessNeeds(profile, { guestPort: 80 }, 'xz');
    for (const name of served) expect(model.disable(start, [name]).changed.filter((n) => harness.includes(n)), name).toEqual([]);
  });

  it('keeps the RD_ option of the run\'s compression out, and the other RD_ options in', () => {
    for (const [compression, own] of [['xz', 'RD_XZ'], ['gzip', 'RD_GZIP'], ['zstd', 'RD_ZSTD'], ['lz4', 'RD_LZ4']] as const) {
      const names = planCandidates(start, profile, model, { network: { guestPort: 80 }, compression }).candidates.map((c) => c.name);
      expect(names, compression).not.toContain(own);
      for (const other of ['RD_GZIP', 'RD_XZ', 'RD_ZSTD', 'RD_LZ4', 'RD_BZIP2'].filter((n) => n !== own)) expect(names, `${compression}: ${other}`).toContain(other);
    }
  });

  it('narrows to --candidates, which may name harness options, and rejects names that are not enabled', () => {
    const plan = planCandidates(start, profile, model, { network: { guestPort: 80 }, compression: 'xz', only: ['CONFIG_VIRTIO_NET', 'SIGNALFD'] });
    expect(plan.candidates.map((c) => c.name)).toEqual(['VIRTIO_NET', 'SIGNALFD']);
    expect(plan.candidates[0]?.menuPath?.join(' > ')).toMatch(/Network device support/);
    expect(() => planCandidates(start, profile, model, { network: { guestPort: 80 }, compression: 'xz', only: ['NO_SUCH_OPTION'] })).toThrow(/not enabled in the start config: NO_SUCH_OPTION/);
  });

  it('agrees with the kernel\'s olddefconfig on which removals are no-ops', async () => {
    const plan = planCandidates(start, profile, undefined, { compression: 'xz' });
    const startText = canonicalDotConfig(await tool.olddefconfig(start));
    const withModel = planCandidates(start, profile, model, { compression: 'xz' });
    // A spread of enabled options, including some the engine does not offer as candidates.
    const sample = plan.candidates.filter((_, i) => i % 60 === 0).map((c) => c.name);
    for (const name of sample) {
      const kernelNoop = canonicalDotConfig(await tool.olddefconfig(withValues(start, [name], 'n'))) === startText;
      expect(withModel.isNoop!(name), name).toBe(kernelNoop);
    }
  }, 900_000);
});

describe('candidate planning without the engine', () => {
  it('leaves out the profile\'s keep and harness sets, the network part only with a port', async () => {
    const profile = await loadProfile();
    const config = parseDotConfig('CONFIG_64BIT=y\nCONFIG_TTY=y\nCONFIG_NET=y\nCONFIG_VIRTIO_NET=y\nCONFIG_SIGNALFD=y\nCONFIG_RD_XZ=y\n# CONFIG_PCI is not set\n');
    expect(planCandidates(config, profile, undefined, { network: { guestPort: 80 }, compression: 'xz' }).candidates.map((c) => c.name)).toEqual(['SIGNALFD']);
    expect(planCandidates(config, profile, undefined, { compression: 'xz' }).candidates.map((c) => c.name)).toEqual(['NET', 'VIRTIO_NET', 'SIGNALFD']);
    expect(planCandidates(config, profile, undefined, { network: { guestPort: 80 }, compression: 'gzip' }).candidates.map((c) => c.name)).toEqual(['SIGNALFD', 'RD_XZ']);
    const always = profile.kernel.harness.always.map((n) => (n === 'RD_<compression>' ? 'RD_XZ' : n));
    expect(harnessNeeds(profile, undefined, 'xz')).toEqual(always);
    expect(harnessNeeds(profile, { guestPort: 8080 }, 'xz')).toEqual([...always, ...profile.kernel.harness.network]);
  });
});
