// QEMU's command line for the tester's guest: the profile's machine (with its options) and network card, as given.
import { describe, expect, it } from 'vitest';
import type { GuestNetwork } from '../../src/packager/markers.js';
import { loadProfile } from '../../src/profile/load.js';
import { guestArgv, type GuestSpec } from '../../src/tester/guest.js';
import { vmSpec } from '../../src/vm/spec.js';

async function spec(profileName: string, network?: GuestNetwork): Promise<GuestSpec> {
  const { qemu } = await loadProfile(profileName);
  const vm = vmSpec(qemu, { kernel: '/k/bzImage', initramfs: '/k/initramfs.cpio.xz', cmdline: 'console=ttyS0 panic=-1', network, hostPort: 34567 });
  return { vm, consoleLog: '/k/console.log', accel: 'tcg' };
}

/** The value after `flag` in `args`. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('guestArgv', () => {
  it('attaches the default profile\'s virtio-net-pci to the forwarded user network', async () => {
    const args = guestArgv(await spec('qemu-x86_64', { guestPort: 80 }));
    expect(after(args, '-machine')).toBe('pc');
    expect(after(args, '-netdev')).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:34567-:80');
    expect(after(args, '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('starts the microvm profile\'s machine with its options and a virtio-mmio network card', async () => {
    const args = guestArgv(await spec('qemu-microvm', { guestPort: 8080 }));
    expect(after(args, '-machine')).toBe('microvm,acpi=off');
    expect(after(args, '-device')).toBe('virtio-net-device,netdev=n0');
    expect(args.filter((a) => a.includes('pci'))).toEqual([]);
    expect(args).toContain('-no-reboot');
  });

  it('falls back to virtio-net-pci for a spec that names no network card', async () => {
    const full = await spec('qemu-x86_64', { guestPort: 80 });
    const { netDevice: _, ...older } = full.vm.qemu;
    expect(after(guestArgv({ ...full, vm: { ...full.vm, qemu: older } }), '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('gives a guest without a port no network card at all', async () => {
    const args = guestArgv(await spec('qemu-microvm'));
    expect(args).not.toContain('-netdev');
    expect(args).not.toContain('-device');
  });

  it('puts the profile\'s extra arguments last, after the network card', async () => {
    const full = await spec('qemu-microvm', { guestPort: 80 });
    const args = guestArgv({ ...full, vm: { ...full.vm, qemu: { ...full.vm.qemu, extraArgs: ['-device', 'isa-debug-exit'] } } });
    expect(args.slice(-4)).toEqual(['-device', 'virtio-net-device,netdev=n0', '-device', 'isa-debug-exit']);
  });

  it('gives the tester\'s QEMU this exact command line (pc with a port, microvm without)', async () => {
    expect(guestArgv(await spec('qemu-x86_64', { guestPort: 80 }))).toEqual([
      '-machine', 'pc', '-accel', 'tcg', '-m', '256M', '-smp', '1', '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
      '-kernel', '/k/bzImage', '-initrd', '/k/initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1',
      '-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:34567-:80', '-device', 'virtio-net-pci,netdev=n0',
    ]);
    expect(guestArgv({ ...(await spec('qemu-microvm')), accel: 'kvm' })).toEqual([
      '-machine', 'microvm,acpi=off', '-accel', 'kvm', '-cpu', 'host', '-m', '256M', '-smp', '1', '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
      '-kernel', '/k/bzImage', '-initrd', '/k/initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1',
    ]);
  });

  it('boots a disk root from the first virtio disk, read-only, with no -initrd, and the volumes writable after it, on the machine\'s bus', async () => {
    for (const [name, blk] of [['qemu-x86_64', 'virtio-blk-pci'], ['qemu-microvm', 'virtio-blk-device']] as const) {
      const full = await spec(name, { guestPort: 80 });
      const args = guestArgv({ ...full, vm: { ...full.vm, initramfs: '/k/rootfs.squashfs', rootDisk: true, volumes: ['/k/a.ext4', '/k/b.ext4'] } });
      expect(args).not.toContain('-initrd');
      expect(args.filter((_, i) => args[i - 1] === '-drive')).toEqual([
        'file=/k/rootfs.squashfs,format=raw,if=none,id=disk0,readonly=on', 'file=/k/a.ext4,format=raw,if=none,id=disk1', 'file=/k/b.ext4,format=raw,if=none,id=disk2',
      ]);
      expect(args.filter((a) => a.startsWith('virtio-blk'))).toEqual([`${blk},drive=disk0`, `${blk},drive=disk1`, `${blk},drive=disk2`]);
    }
  });

  it('gives an initramfs guest its volumes from the first disk on, beside -initrd', async () => {
    const full = await spec('qemu-x86_64');
    const args = guestArgv({ ...full, vm: { ...full.vm, volumes: ['/k/a.ext4'] } });
    expect(after(args, '-initrd')).toBe('/k/initramfs.cpio.xz');
    expect(after(args, '-drive')).toBe('file=/k/a.ext4,format=raw,if=none,id=disk0');
  });
});
