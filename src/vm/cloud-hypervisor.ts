// Cloud Hypervisor: the VM as run-cloud-hypervisor.sh, its command line in a script (KVM only).
import { GUEST_NET } from '../packager/markers.js';
import type { MachineMonitor } from './monitor.js';
import { fromScript, shellCommand } from './shell-argv.js';
import { GUEST_MAC, HOST_TAP, launchSpec, mebibytes, vmDisks, type VmLaunch, type VmSpec } from './spec.js';

export const CLOUD_HYPERVISOR_BINARY = 'cloud-hypervisor';

/**
 * Cloud Hypervisor's arguments for `spec`: the serial port (ttyS0) on the terminal and no virtio
 * console, as the guest's console=ttyS0 expects. Networked, Cloud Hypervisor creates the TAP device
 * HOST_TAP and gives it the guest's gateway address, so the app is at the guest's address.
 */
export function cloudHypervisorArgv(spec: VmSpec): string[] {
  const net = spec.network
    ? ['--net', `tap=${HOST_TAP},ip=${GUEST_NET.gateway},mask=${GUEST_NET.netmask},mac=${GUEST_MAC}`]
    : [];
  const disks = vmDisks(spec).map((disk) => `path=${disk.file}${disk.readOnly ? ',readonly=on' : ''}`);
  return [
    '--kernel', spec.kernel, ...(spec.rootDisk ? [] : ['--initramfs', spec.initramfs]), '--cmdline', spec.cmdline,
    ...(disks.length ? ['--disk', ...disks] : []),
    '--cpus', `boot=${spec.vcpus}`, '--memory', `size=${mebibytes(spec.memory)}M`,
    '--serial', 'tty', '--console', 'off', ...net,
  ];
}

function script(launch: VmLaunch): string {
  const spec = launchSpec(launch, fromScript('$(cat cmdline)'), 0);
  const reach = spec.network
    ? `The app's port ${spec.network.guestPort} is at ${GUEST_NET.address}:${spec.network.guestPort}: Cloud Hypervisor makes the TAP device\n# ${HOST_TAP} with ${GUEST_NET.gateway}/24 on this host (it needs CAP_NET_ADMIN).`
    : 'No network device (--port 0): the app talks through the console only.';
  return `#!/bin/sh
# Boots the minimized VM made by tinyx under Cloud Hypervisor, which needs KVM (/dev/kvm).
# ${reach}
# The serial console is this terminal.
set -e
cd "$(dirname "$0")"
exec ${shellCommand([CLOUD_HYPERVISOR_BINARY, ...cloudHypervisorArgv(spec)])}
`;
}

export const cloudHypervisorTarget: MachineMonitor = {
  name: 'cloud-hypervisor',
  bootsWithoutKvm: false,
  launchFile: (launch) => ({ name: 'run-cloud-hypervisor.sh', text: script(launch), executable: true }),
};
