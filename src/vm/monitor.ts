// What starts a VM (QEMU, Firecracker, Cloud Hypervisor): one file per target in src/vm/, listed in targets.ts.
import type { VmLaunch } from './spec.js';

/** A launch file a target writes into the out dir (QEMU's is run.sh). */
export interface LaunchFile {
  name: string;
  text: string;
  executable: boolean;
}

/** Beside GuestHost (where a guest runs: here or on a worker), which program runs it. */
export interface MachineMonitor {
  /** Its name in a profile's vm.targets. */
  name: string;
  /**
   * Whether it boots a guest without KVM. Only QEMU does (TCG), so only QEMU boots the candidates; the
   * others get a launch file, for a host with /dev/kvm.
   */
  bootsWithoutKvm: boolean;
  /** Its launch file for the out dir, from the record's VM and the final command line. */
  launchFile(launch: VmLaunch, cmdline: string): LaunchFile;
}
