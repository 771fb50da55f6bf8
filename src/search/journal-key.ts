// The part of every journal key a run shares: what decides a verdict besides the config, cmdline, initramfs and boot variant.
import type { GuestNetwork } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import { sha256 } from '../util/hash.js';

export interface RunKeyFacts {
  /** The kernel tree's cache key. */
  tree: string;
  /** sha256 of the tests. */
  tests: string;
  /** The guest's network (absent: none): it changes what the tests can reach. */
  network?: GuestNetwork;
  qemu: Profile['qemu'];
  /** The deadlines each boot gets: a verdict taken with a 5 s test timeout may be a timeout that 120 s would pass. */
  bootTimeoutMs: number;
  readyTimeoutMs: number;
  testTimeoutMs: number;
  /** The data volumes' seeded images by sha256 (absent: none): what the app finds on them decides verdicts. */
  volumes?: string[];
}

/**
 * The accelerator changes how fast a guest runs, not what it does: verdicts outlive a change of it.
 * The timeouts do change verdicts (a test that needs 6 s fails under a 5 s timeout), so a verdict is
 * replayed only into a run with the same ones. The initramfs is not in it: each verdict's key has
 * the sha256 of the initramfs it booted (Evaluator.keyOf), as it has a variant's memory and boot timeout.
 */
export function runKey(facts: RunKeyFacts): string {
  const { tree, tests, network, qemu, bootTimeoutMs, readyTimeoutMs, testTimeoutMs, volumes } = facts;
  // `port` as the key always had it (0: no network), so journals written before stay readable; `volumes` only when there are some.
  return sha256(JSON.stringify({ tree, tests, port: network?.guestPort ?? 0, qemu: { ...qemu, accel: undefined }, timeouts: { bootTimeoutMs, readyTimeoutMs, testTimeoutMs }, ...(volumes ? { volumes } : {}) }));
}
