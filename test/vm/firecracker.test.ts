// firecracker.json: the out dir's VM as Firecracker's --config-file, checked against Firecracker's own
// API schema (an excerpt in test/fixtures/vm). Firecracker needs KVM, so nothing here boots it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { firecrackerTarget } from '../../src/vm/firecracker.js';
import type { GuestNetwork } from '../../src/packager/markers.js';
import { mebibytes, type VmLaunch } from '../../src/vm/spec.js';
import { REPO } from '../deps/helpers.js';
import { schemaProblems, type SchemaNode } from './swagger-check.js';

const api = parse(await readFile(path.join(REPO, 'test/fixtures/vm/firecracker-api.yaml'), 'utf8')) as { definitions: Record<string, SchemaNode> };
const { definitions } = api;
const problems = (config: unknown) => schemaProblems(config, definitions.FullVmConfiguration!, definitions);

const launch = (network: GuestNetwork | undefined, memory = '38M'): VmLaunch => ({
  machine: 'microvm,acpi=off', memory, netDevice: 'virtio-net-device', extraArgs: [], network,
  initramfs: 'initramfs.cpio.xz', accel: 'tcg', reason: 'asked for', targets: ['qemu', 'firecracker'],
});

const written = (vm: VmLaunch, cmdline = 'console=ttyS0 panic=-1 reboot=t') => {
  const file = firecrackerTarget.launchFile(vm, cmdline);
  expect(file).toMatchObject({ name: 'firecracker.json', executable: false });
  return JSON.parse(file.text) as Record<string, Record<string, unknown>>;
};

describe('firecracker.json', () => {
  it('fits Firecracker\'s schema, with a network card and without, and holds what its reader needs', () => {
    for (const network of [{ guestPort: 8080 }, undefined]) {
      const config = written(launch(network));
      expect(problems(config)).toEqual([]);
      expect(Object.keys(config)).toEqual(expect.arrayContaining(['boot-source', 'drives']));
    }
  });

  it('boots the out dir\'s bzImage and initramfs with the final command line, one vCPU and the run\'s memory', () => {
    const cmdline = `console=ttyS0 app="a b" it's`;
    expect(written(launch({ guestPort: 8080 }), cmdline)).toEqual({
      'boot-source': { kernel_image_path: 'bzImage', initrd_path: 'initramfs.cpio.xz', boot_args: cmdline },
      drives: [],
      'machine-config': { vcpu_count: 1, mem_size_mib: 38 },
      'network-interfaces': [{ iface_id: 'eth0', host_dev_name: 'tinyx0', guest_mac: '52:54:00:12:34:56' }],
    });
    expect(written(launch(undefined, '1G'))).not.toHaveProperty('network-interfaces');
    expect(written(launch(undefined, '1G'))['machine-config']).toEqual({ vcpu_count: 1, mem_size_mib: 1024 });
  });

  it('boots the out dir\'s vmlinux when the run shipped one (PVH entry; every Firecracker release boots an uncompressed kernel)', () => {
    expect(written({ ...launch({ guestPort: 8080 }), kernel: 'vmlinux' })['boot-source']).toMatchObject({ kernel_image_path: 'vmlinux' });
  });

  it('has a schema check that finds what Firecracker would refuse', () => {
    const config = written(launch({ guestPort: 8080 }));
    expect(problems({ ...config, 'machine-config': { vcpu_count: 0, mem_size_mib: '38' } })).toEqual([
      '$.machine-config.vcpu_count: 0 is below the minimum 1',
      '$.machine-config.mem_size_mib: expected integer, received "38"',
    ]);
    expect(problems({ ...config, 'boot-source': { initrd_path: 'x', kernel: 'bzImage' } })).toEqual([
      '$.boot-source: the required field kernel_image_path is missing',
      '$.boot-source: kernel is no field of it',
    ]);
    expect(problems({ ...config, 'network-interfaces': [{ iface_id: 'eth0' }], vcpus: 1 })).toEqual([
      '$.network-interfaces[0]: the required field host_dev_name is missing',
      '$: vcpus is no field of it',
    ]);
  });
});

describe('mebibytes', () => {
  it('reads QEMU\'s spelling of guest memory as MiB, and refuses what is no whole number of MiB', () => {
    expect([mebibytes('256M'), mebibytes('1G'), mebibytes('64'), mebibytes('38m')]).toEqual([256, 1024, 64, 38]);
    for (const bad of ['1.5G', '512K', '0', '64 MB', '']) {
      expect(() => mebibytes(bad), bad).toThrow(expect.objectContaining({ code: 'TINYX_PROFILE_INVALID' }));
    }
  });

  it('boots a disk root from its first drive (no initrd) with the volumes after it, and still fits the schema', () => {
    const vm: VmLaunch = { ...launch({ guestPort: 80 }), initramfs: 'rootfs.squashfs', rootDisk: true, volumes: ['volume-data.ext4'] };
    const config = written(vm, 'console=ttyS0 root=/dev/vda rootfstype=squashfs ro init=/init');
    expect(problems(config)).toEqual([]);
    expect(config['boot-source']).not.toHaveProperty('initrd_path');
    expect(config.drives).toEqual([
      { drive_id: 'disk0', path_on_host: 'rootfs.squashfs', is_root_device: false, is_read_only: true },
      { drive_id: 'disk1', path_on_host: 'volume-data.ext4', is_root_device: false, is_read_only: false },
    ]);
    expect(written({ ...launch(undefined), volumes: ['volume-data.ext4'] })['boot-source']).toHaveProperty('initrd_path', 'initramfs.cpio.xz');
  });
});
