// The kernel options the test contract needs to reach the app: the profile's harness set, by port.
import type { Profile } from './types.js';

/**
 * `kernel.harness.always` (console, initramfs, ELF), plus `kernel.harness.network` when the app
 * listens on a port (`port` > 0: QEMU's user network and a virtio-net device). Never candidates.
 */
export function harnessNeeds(profile: Profile, port: number): string[] {
  const { always, network } = profile.kernel.harness;
  return [...new Set([...always, ...(port > 0 ? network : [])])];
}
