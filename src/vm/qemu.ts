// QEMU (pc, microvm): the one command line for a VM, used by the tester's boots here and on workers and by run.sh.
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { DEFAULT_NET_DEVICE } from '../profile/load.js';
import { vmDisks, type VmSpec } from './spec.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

/** QEMU on PATH, or $TINYX_QEMU when set (another build, or a wrapper). */
export async function findQemu(): Promise<string> {
  if (process.env.TINYX_QEMU) return process.env.TINYX_QEMU;
  const result = await execa('sh', ['-c', `command -v ${QEMU_BINARY}`], { reject: false });
  if (result.exitCode !== 0 || !result.stdout) {
    throw new TinyxError('TINYX_QEMU_NOT_FOUND', `${QEMU_BINARY} was not found on PATH.`, {
      advice: 'Install it: apt-get install qemu-system-x86 (as root).',
    });
  }
  return result.stdout.trim();
}

export interface QemuConsole {
  /** The accelerator's words (accelArgs(), or a launch script's variable). */
  accel: string[];
  /**
   * The serial console on QEMU's stdio: `stdio` for the tester, which reads it with QEMU's own
   * messages; `mon:stdio` for a person at a terminal (Ctrl-A X quits, Ctrl-A C is the monitor).
   */
  serial: 'stdio' | 'mon:stdio';
}

/** QEMU's arguments (after the program's name) for `spec`. */
export function qemuArgv(spec: VmSpec, how: QemuConsole): string[] {
  const { network } = spec;
  const net = network
    ? ['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${network.hostPort}-:${network.guestPort}`, '-device', `${spec.qemu.netDevice ?? DEFAULT_NET_DEVICE},netdev=n0`]
    : [];
  // virtio disks on the machine's bus: PCI on pc, virtio-mmio on microvm (which has no PCI).
  const blk = spec.qemu.machine.split(',')[0] === 'microvm' ? 'virtio-blk-device' : 'virtio-blk-pci';
  const disks = vmDisks(spec).flatMap((disk, i) => [
    '-drive', `file=${disk.file},format=raw,if=none,id=disk${i}${disk.readOnly ? ',readonly=on' : ''}`, '-device', `${blk},drive=disk${i}`,
  ]);
  return [
    '-machine', spec.qemu.machine, ...how.accel, '-m', spec.memory, '-smp', String(spec.vcpus),
    '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', how.serial,
    '-kernel', spec.kernel, ...(spec.rootDisk ? [] : ['-initrd', spec.initramfs]), '-append', spec.cmdline,
    ...disks, ...net, ...spec.qemu.extraArgs,
  ];
}
