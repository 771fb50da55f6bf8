// The kernel options the test contract needs to reach the app: the profile's harness set, by network and compression.
import { COMPRESSORS, type Compression } from '../packager/compress.js';
import type { GuestNetwork } from '../packager/markers.js';
import type { Profile } from './types.js';

/**
 * Written in `kernel.harness.always` where the option that unpacks the initramfs goes: the RD_
 * option of the run's compression (RD_GZIP, RD_XZ, RD_ZSTD or RD_LZ4), decided per run.
 */
export const RUN_DECOMPRESSOR = 'RD_<compression>';

/** `kernel.harness.always` with RUN_DECOMPRESSOR replaced by the RD_ option of `compression`. */
export function harnessAlways(profile: Profile, compression: Compression): string[] {
  return profile.kernel.harness.always.map((n) => (n === RUN_DECOMPRESSOR ? COMPRESSORS[compression].initramfsOption : n));
}

/**
 * `kernel.harness.always` (console, the initramfs and what unpacks it, ELF), plus
 * `kernel.harness.network` when the guest has a network (the app listens on a port: QEMU's user
 * network and a virtio-net device). Never candidates.
 */
export function harnessNeeds(profile: Profile, network: GuestNetwork | undefined, compression: Compression): string[] {
  return [...new Set([...harnessAlways(profile, compression), ...(network ? profile.kernel.harness.network : [])])];
}
