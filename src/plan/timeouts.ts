// How long each step of a boot may take: the defaults, written once, and the shorter limit of probe boots.

/** The limits of one boot and its tests, in milliseconds. */
export interface Timeouts {
  /** From QEMU's start to the app started (its marker on the console). */
  bootTimeoutMs: number;
  /** From the app started to its port answering. */
  readyTimeoutMs: number;
  /** The tests' own run. */
  testTimeoutMs: number;
}

/** What a run gets without --boot-timeout and --test-timeout (the ready limit has no flag). */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, testTimeoutMs: 120_000 });

/**
 * The boot limit of a probe that may leave the guest unable to start the app (a rootfs without a
 * file the init needs, too little memory): such a guest often hangs silently, so its boot gets
 * five times what the app took to start on a passing boot, and at least 10 s.
 */
export function probeBootTimeoutMs(appMs: number | undefined): number {
  return Math.max(10_000, 5 * (appMs ?? 3_000));
}
