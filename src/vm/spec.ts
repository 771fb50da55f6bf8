// The VM a guest runs as, whichever monitor starts it: built once from the profile and the run's facts.
import { TinyxError } from '../errors.js';
import type { GuestNetwork } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import type { Accel } from './accel.js';

/** Every guest gets one vCPU: the tester's boots, run.sh and the other targets' launch files alike. */
export const VCPUS = 1;

export interface VmSpec {
  /** The kernel (a bzImage; every target boots one) and the initramfs, as paths. */
  kernel: string;
  initramfs: string;
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
}

export function vmSpec(qemu: Pick<Profile['qemu'], 'machine' | 'memory' | 'extraArgs'> & { netDevice?: string }, facts: VmFacts): VmSpec {
  return {
    kernel: facts.kernel, initramfs: facts.initramfs, cmdline: facts.cmdline, memory: qemu.memory, vcpus: VCPUS,
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
  /** The initramfs's file name in the out dir (`initramfs.cpio.xz`: its extension names its compression). */
  initramfs: string;
  /** The accelerator the run used, and why it was chosen. */
  accel: Accel;
  reason: string;
  /** The profile's vm.targets: the monitors whose launch files the out dir gets (qemu's is run.sh). */
  targets: string[];
}

/** The out dir's VM: its kernel and initramfs by their names there, and `cmdline` (a value, or the script's reading of the cmdline file). */
export function launchSpec(launch: VmLaunch, cmdline: string, hostPort: number | string): VmSpec {
  return vmSpec(launch, { kernel: 'bzImage', initramfs: launch.initramfs, cmdline, network: launch.network, hostPort });
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

/** The guest's network card's MAC address under every monitor: QEMU's default one. */
export const GUEST_MAC = '52:54:00:12:34:56';

/** The host's TAP device a guest is attached to by the monitors without a user-mode network (Firecracker, Cloud Hypervisor). */
export const HOST_TAP = 'tinyx0';
