// The targets a profile can name: each with its own launch file, an unknown name refused with the names known.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import type { VmLaunch } from '../../src/vm/spec.js';
import { launchTargets } from '../../src/vm/targets.js';

describe('launchTargets', () => {
  it('finds each target by its profile name, in the profile\'s order, each with a launch file of its own', () => {
    const launch: VmLaunch = {
      machine: 'pc', memory: '64M', extraArgs: [], network: { guestPort: 80 }, initramfs: 'initramfs.cpio.gz', accel: 'tcg', reason: 'asked for', targets: [],
    };
    const targets = launchTargets(['qemu', 'cloud-hypervisor', 'firecracker']);
    expect(targets.map((t) => [t.name, t.launchFile(launch, 'console=ttyS0').name, t.bootsWithoutKvm])).toEqual([
      ['qemu', 'run.sh', true], ['cloud-hypervisor', 'run-cloud-hypervisor.sh', false], ['firecracker', 'firecracker.json', false],
    ]);
  });

  it('refuses a name no target has, suggesting the one meant', () => {
    let error: unknown;
    try {
      launchTargets(['qemu', 'firecraker']);
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_PROFILE_INVALID')).toBe(true);
    expect((error as Error).message).toBe('vm.targets names "firecraker", which is no target (did you mean "firecracker"?); known targets: qemu, firecracker, cloud-hypervisor.');
  });
});
