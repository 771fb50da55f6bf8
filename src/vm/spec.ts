// The VM a guest runs as, whichever monitor starts it: built once from the profile and the run's facts.
import { TinyxError } from '../errors.js';
import type { GuestNetwork } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import type { Accel } from './accel.js';

/** Every guest gets one vCPU: the tester's boots, run.sh and the other targets' launch files alike. */
export const VCPUS = 1;

export interface VmSpec {
  /** The kernel (a bzImage, which every target boots, or a PVH vmlinux) and the root: an initramfs, or with `rootDisk` a read-only disk image (squashfs), as paths. */
  kernel: string;
  initramfs: string;
  /** The root is a disk, the guest's first block device (/dev/vda, read-only), not an initramfs. */
  rootDisk?: boolean;
  /** Data volumes (ext4 images, writable), the block devices after the root's, in order. */
  volumes?: string[];
  cmdline: string;
  /** Guest memory as the profile spells it for QEMU's -m (`256M`; a bare number is MiB). */
  memory: string;
  vcpus: number;
  /** The app's TCP port in the guest, reached from the host's loopback port; absent: no network device. */
  network?: GuestNetwork & { hostPort: number | string };
  /** What only QEMU reads: the machine with its options, the network card's device, extra arguments. */
  qemu: { machine: string; netDevice?: string; extraArgs: string[] };
}

/** The run's facts a spec needs besides the profile's qemu section. */
export interface VmFacts {
  kernel: string;
  initramfs: string;
  cmdline: string;
  /** The guest's network; absent: no network device. */
  network?: GuestNetwork;
  /** The host's loopback port forwarded to the app (a number, or a launch script's variable). */
  hostPort: number | string;
  rootDisk?: boolean;
  volumes?: string[];
}

export function vmSpec(qemu: Pick<Profile['qemu'], 'machine' | 'memory' | 'extraArgs'> & { netDevice?: string }, facts: VmFacts): VmSpec {
  return {
    kernel: facts.kernel, initramfs: facts.initramfs, cmdline: facts.cmdline, memory: qemu.memory, vcpus: VCPUS,
    ...(facts.rootDisk ? { rootDisk: true } : {}), ...(facts.volumes?.length ? { volumes: facts.volumes } : {}),
    ...(facts.network ? { network: { ...facts.network, hostPort: facts.hostPort } } : {}),
    qemu: { machine: qemu.machine, ...(qemu.netDevice === undefined ? {} : { netDevice: qemu.netDevice }), extraArgs: qemu.extraArgs },
  };
}

/** How the out dir's VM boots: the record's part that its launch files are written from. */
export interface VmLaunch {
  /** `-machine`, with the machine's options (the profile's qemu.machine). */
  machine: string;
  memory: string;
  /** The network card's QEMU device (the profile's qemu.netDevice); absent: DEFAULT_NET_DEVICE (virtio-net-pci). */
  netDevice?: string;
  extraArgs: string[];
  /** The guest's network; absent: no network device. */
  network?: GuestNetwork;
  /** The root's file name in the out dir: the initramfs (`initramfs.cpio.xz`: its extension names its compression), or with `rootDisk` the disk image (`rootfs.squashfs`). */
  initramfs: string;
  rootDisk?: boolean;
  /** The data volumes' file names in the out dir (`volumes/data.ext4`), in the order the guest sees them. */
  volumes?: string[];
  /** `vmlinux`: the launch files boot the uncompressed kernel by its PVH entry (QEMU's -kernel starts the ELF itself); absent: the bzImage. */
  kernel?: 'vmlinux';
  /** The accelerator the run used, and why it was chosen. */
  accel: Accel;
  reason: string;
  /** The profile's vm.targets: the monitors whose launch files the out dir gets (qemu's is run.sh). */
  targets: string[];
}

/** The out dir's VM: its kernel and initramfs by their names there, and `cmdline` (a value, or the script's reading of the cmdline file). */
export function launchSpec(launch: VmLaunch, cmdline: string, hostPort: number | string): VmSpec {
  return vmSpec(launch, { kernel: launch.kernel ?? 'bzImage', initramfs: launch.initramfs, cmdline, network: launch.network, hostPort, rootDisk: launch.rootDisk, volumes: launch.volumes });
}

/** Guest memory in MiB, from QEMU's spelling (`256M`, `1G`, `256`: MiB): what monitors taking a number need. */
export function mebibytes(memory: string): number {
  const match = /^(\d+)([MG]?)$/i.exec(memory.trim());
  const mib = match ? Number(match[1]) * (match[2]?.toUpperCase() === 'G' ? 1024 : 1) : NaN;
  if (!Number.isSafeInteger(mib) || mib < 1) {
    throw new TinyxError('TINYX_PROFILE_INVALID', `Guest memory "${memory}" is not a whole number of MiB or GiB.`, {
      advice: 'Give qemu.memory as 256M or 1G in the profile (or --memory).',
    });
  }
  return mib;
}

/**
 * The guest's block devices in order: the root's disk first when the root is one, then each volume.
 * Each is a virtio disk, so the guest names them vda, vdb, ... in this order.
 */
export function vmDisks(spec: Pick<VmSpec, 'initramfs' | 'rootDisk' | 'volumes'>): Array<{ file: string; readOnly: boolean }> {
  return [...(spec.rootDisk ? [{ file: spec.initramfs, readOnly: true }] : []), ...(spec.volumes ?? []).map((file) => ({ file, readOnly: false }))];
}

/** The guest's device name of the n-th data volume (from 0): after the root's disk when there is one. */
export function volumeDevice(index: number, rootDisk: boolean): string {
  return `vd${String.fromCharCode('a'.charCodeAt(0) + index + (rootDisk ? 1 : 0))}`;
}

/** What the kernel command line gets for a disk root: the first disk, read-only squashfs, /init as init (the initramfs's own default). */
export const DISK_ROOT_ARGS = ['root=/dev/vda', 'rootfstype=squashfs', 'ro', 'init=/init'];

/** The guest's network card's MAC address under every monitor: QEMU's default one. */
export const GUEST_MAC = '52:54:00:12:34:56';

/** The host's TAP device a guest is attached to by the monitors without a user-mode network (Firecracker, Cloud Hypervisor). */
export const HOST_TAP = 'tinyx0';
