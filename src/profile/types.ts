// A target profile: how the start kernel is made, what is never removed, how the guest boots.
import type { CompressionChoice } from '../packager/compress.js';

/** What the user asks for as the accelerator (qemu.accel, --accel): `auto` proves KVM before trusting it. */
export const ACCEL_CHOICES = ['auto', 'kvm', 'tcg'] as const;
export type AccelChoice = (typeof ACCEL_CHOICES)[number];

export interface Profile {
  name: string;
  /** Where it came from (file path), for messages. */
  source: string;
  arch: 'x86_64';
  kernel: {
    /** The Debian kernel source package runs use unless --kernel-src says otherwise (linux-source-6.1); without it, the newest installed. */
    source?: string;
    /** A kernel make target that writes a base config: tinyconfig, defconfig, allnoconfig. */
    base: string;
    enable: string[];
    disable: string[];
    /** Never candidates, for reasons of the profile's own (the harness's needs are in `harness`). */
    keep: string[];
    /** What the test contract needs to reach the app: kept without builds, never candidates. */
    harness: KernelHarness;
  };
  packaging: {
    /**
     * The initramfs's compression, and the kernel's own (the same compressor): gzip, xz, zstd, lz4,
     * or auto (the smallest initramfs among those this host can make). `--compression` overrides it.
     */
    compression: CompressionChoice;
  };
  boot: {
    cmdline: string;
    /** Boot options never removed. */
    keep: string[];
    /** Boot options known to cut boot time, tried one at a time with --boot-speedups (each kept when the boots pass faster). */
    speedups: string[];
  };
  qemu: {
    /** QEMU's `-M` value, with the machine's options: `pc`, `microvm,acpi=off`. */
    machine: string;
    /** auto (KVM once proven to run a guest here, else TCG), kvm or tcg. */
    accel: AccelChoice;
    memory: string;
    /**
     * The QEMU device the guest's network card is (`-device NAME,netdev=n0`, with --port > 0):
     * virtio-net-pci on a PCI machine, virtio-net-device (virtio-mmio) on microvm.
     */
    netDevice: string;
    extraArgs: string[];
  };
  vm: {
    /**
     * The machine monitors whose launch files the out dir gets, by name (see src/vm/targets.ts): qemu
     * (run.sh) always, firecracker, cloud-hypervisor.
     */
    targets: string[];
  };
  search: {
    /** Strategy for kernel options, by name (see src/search/strategies). */
    strategy: string;
    /** Strategy for boot options. */
    cmdlineStrategy: string;
    /**
     * The shipped first guess: each bundled example's full run and the options it needed beyond the
     * harness (written by scripts/learn-prior.mjs, never by hand).
     */
    prior: PriorRun[];
  };
}

/** A full run of a bundled example and the candidates it kept because removing them failed (none: it needs only the harness). */
export interface PriorRun {
  example: string;
  needed: string[];
}

/** The kernel options the harness needs: `always`, plus `network` when the app has a port (`--port` > 0). */
export interface KernelHarness {
  /**
   * Boot the initramfs and read the serial console. May hold `RD_<compression>` (RUN_DECOMPRESSOR),
   * which stands for the RD_ option of the run's initramfs compression (harnessNeeds resolves it).
   */
  always: string[];
  /** Reach a TCP port through QEMU's user network and a virtio-net device. */
  network: string[];
  /**
   * A root on a disk (`--root disk`): the virtio block driver on the machine's bus, squashfs, and
   * `SQUASHFS_<compression>` (ROOT_DECOMPRESSOR), the squashfs decompressor of the run's compression.
   * With it, what only unpacks an initramfs (BLK_DEV_INITRD and the RD_ option) is a candidate.
   */
  disk: string[];
  /** Data volumes (`--volume`): the virtio block driver on the machine's bus and ext4. */
  volume: string[];
}
