// The kernel options the test contract needs to reach the app: the profile's harness set, by network, compression and the guest's disks.
import { COMPRESSORS, type Compression } from '../packager/compress.js';
import type { GuestNetwork } from '../packager/markers.js';
import { SQUASHFS_OPTION } from '../packager/squashfs.js';
import type { Profile } from './types.js';

/**
 * Written in `kernel.harness.always` where the option that unpacks the initramfs goes: the RD_
 * option of the run's compression (RD_GZIP, RD_XZ, RD_ZSTD or RD_LZ4), decided per run.
 */
export const RUN_DECOMPRESSOR = 'RD_<compression>';

/**
 * Written in `kernel.harness.disk` where the squashfs decompressor of a disk root goes: that of the
 * run's compression (SQUASHFS_ZLIB, SQUASHFS_XZ, SQUASHFS_ZSTD or SQUASHFS_LZ4).
 */
export const ROOT_DECOMPRESSOR = 'SQUASHFS_<compression>';

/** What only an initramfs needs: with a disk root they are candidates like any other option. */
const INITRAMFS_ONLY = new Set(['BLK_DEV_INITRD', RUN_DECOMPRESSOR]);

/** The guest's disks, which decide the disk and volume harness lists. */
export interface GuestDisks {
  /** The root is a disk image, not an initramfs. */
  rootDisk?: boolean;
  /** The guest has data volumes. */
  volumes?: boolean;
}

/** `kernel.harness.always` with RUN_DECOMPRESSOR replaced by the RD_ option of `compression` (and, with a disk root, without what only an initramfs needs). */
export function harnessAlways(profile: Profile, compression: Compression, disks: GuestDisks = {}): string[] {
  return profile.kernel.harness.always
    .filter((n) => !(disks.rootDisk && INITRAMFS_ONLY.has(n)))
    .map((n) => (n === RUN_DECOMPRESSOR ? COMPRESSORS[compression].initramfsOption : n));
}

/** The disk and volume harness lists the guest's disks need, ROOT_DECOMPRESSOR resolved. */
export function harnessDisks(profile: Profile, compression: Compression, disks: GuestDisks): string[] {
  const { disk, volume } = profile.kernel.harness;
  return [
    ...(disks.rootDisk ? disk.map((n) => (n === ROOT_DECOMPRESSOR ? SQUASHFS_OPTION[compression] : n)) : []),
    ...(disks.volumes ? volume : []),
  ];
}

/**
 * `kernel.harness.always` (console, the initramfs and what unpacks it, ELF), plus
 * `kernel.harness.network` when the guest has a network (the app listens on a port: QEMU's user
 * network and a virtio-net device), plus `kernel.harness.disk` for a disk root and
 * `kernel.harness.volume` for data volumes. Never candidates.
 */
export function harnessNeeds(profile: Profile, network: GuestNetwork | undefined, compression: Compression, disks: GuestDisks = {}): string[] {
  return [...new Set([...harnessAlways(profile, compression, disks), ...(network ? profile.kernel.harness.network : []), ...harnessDisks(profile, compression, disks)])];
}
