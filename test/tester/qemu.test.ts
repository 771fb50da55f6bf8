// QEMU's command line for a guest: the profile's machine (with its options) and network card, as given.
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/load.js';
import { qemuArgs, type GuestSpec } from '../../src/tester/qemu.js';

async function spec(profileName: string, guestPort: number): Promise<GuestSpec> {
  const { qemu } = await loadProfile(profileName);
  return {
    bzImage: '/k/bzImage', initramfs: '/k/initramfs.cpio.xz', cmdline: 'console=ttyS0 panic=-1',
    machine: qemu.machine, memory: qemu.memory, netDevice: qemu.netDevice, extraArgs: qemu.extraArgs,
    guestPort, hostPort: 34567, consoleLog: '/k/console.log', accel: 'tcg',
  };
}

/** The value after `flag` in `args`. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('qemuArgs', () => {
  it('attaches the default profile\'s virtio-net-pci to the forwarded user network', async () => {
    const args = qemuArgs(await spec('qemu-x86_64', 80));
    expect(after(args, '-M')).toBe('pc');
    expect(after(args, '-netdev')).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:34567-:80');
    expect(after(args, '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('starts the microvm profile\'s machine with its options and a virtio-mmio network card', async () => {
    const args = qemuArgs(await spec('qemu-microvm', 8080));
    expect(after(args, '-M')).toBe('microvm,acpi=off');
    expect(after(args, '-device')).toBe('virtio-net-device,netdev=n0');
    expect(args.filter((a) => a.includes('pci'))).toEqual([]);
    expect(args).toContain('-no-reboot');
  });

  it('falls back to virtio-net-pci for a spec that names no network card', async () => {
    const { netDevice: _, ...older } = await spec('qemu-x86_64', 80);
    expect(after(qemuArgs(older), '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('gives a guest without a port no network card at all', async () => {
    const args = qemuArgs(await spec('qemu-microvm', 0));
    expect(args).not.toContain('-netdev');
    expect(args).not.toContain('-device');
  });

  it('puts the profile\'s extra arguments last, after the network card', async () => {
    const args = qemuArgs({ ...(await spec('qemu-microvm', 80)), extraArgs: ['-device', 'isa-debug-exit'] });
    expect(args.slice(-4)).toEqual(['-device', 'virtio-net-device,netdev=n0', '-device', 'isa-debug-exit']);
  });

  it('gives the tester\'s QEMU this exact command line (pc with a port, microvm without)', async () => {
    expect(qemuArgs(await spec('qemu-x86_64', 80))).toEqual([
      '-M', 'pc', '-accel', 'tcg', '-m', '256M', '-smp', '1', '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
      '-kernel', '/k/bzImage', '-initrd', '/k/initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1',
      '-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:34567-:80', '-device', 'virtio-net-pci,netdev=n0',
    ]);
    expect(qemuArgs({ ...(await spec('qemu-microvm', 0)), accel: 'kvm' })).toEqual([
      '-M', 'microvm,acpi=off', '-accel', 'kvm', '-cpu', 'host', '-m', '256M', '-smp', '1', '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
      '-kernel', '/k/bzImage', '-initrd', '/k/initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1',
    ]);
  });
});
