// Firecracker: the VM as the JSON of `firecracker --no-api --config-file firecracker.json` (KVM only).
import type { MachineMonitor } from './monitor.js';
import { GUEST_MAC, HOST_TAP, launchSpec, mebibytes, vmDisks, type VmSpec } from './spec.js';

/**
 * Firecracker's whole-VM configuration (its API's FullVmConfiguration, firecracker.yaml). Paths are
 * taken from Firecracker's working directory: it is started in the out dir. The kernel is the
 * bzImage, which Firecracker boots on x86_64 from its release after 1.16 (older releases boot only an
 * uncompressed vmlinux), or the out dir's vmlinux when the run shipped one (the PVH stage). Networked, the guest's card is on the host's TAP device HOST_TAP, which must
 * exist beforehand (Firecracker does not create it).
 */
export function firecrackerConfig(spec: VmSpec): Record<string, unknown> {
  return {
    'boot-source': { kernel_image_path: spec.kernel, ...(spec.rootDisk ? {} : { initrd_path: spec.initramfs }), boot_args: spec.cmdline },
    // The root's disk (when the root is not the initramfs) and the volumes, vda, vdb... in order. None
    // is Firecracker's root device: the boot line already names the root (root=/dev/vda ro).
    drives: vmDisks(spec).map((disk, i) => ({ drive_id: `disk${i}`, path_on_host: disk.file, is_root_device: false, is_read_only: disk.readOnly })),
    'machine-config': { vcpu_count: spec.vcpus, mem_size_mib: mebibytes(spec.memory) },
    ...(spec.network ? { 'network-interfaces': [{ iface_id: 'eth0', host_dev_name: HOST_TAP, guest_mac: GUEST_MAC }] } : {}),
  };
}

export const firecrackerTarget: MachineMonitor = {
  name: 'firecracker',
  bootsWithoutKvm: false,
  launchFile: (launch, cmdline) => ({
    name: 'firecracker.json',
    text: `${JSON.stringify(firecrackerConfig(launchSpec(launch, cmdline, 0)), null, 2)}\n`,
    executable: false,
  }),
};
