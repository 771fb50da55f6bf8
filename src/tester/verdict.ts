// One shape for every outcome of building, booting and testing a candidate.

/**
 * How long a boot took, from QEMU's start (host clock, console lines as they arrived): to the kernel
 * handing over to init (the init's first line), to the app started (its marker), to the app's port
 * answering (servers only).
 */
export interface BootTiming {
  initMs?: number;
  appMs: number;
  readyMs?: number;
  /** The same moments on the guest's own clock (from the kernel's timekeeping start), when the init prints it (tinyx's does). */
  guestInitMs?: number;
  guestAppMs?: number;
}

export type VerdictStatus = 'pass' | 'fail' | 'build-error' | 'boot-timeout' | 'panic';

export interface Verdict {
  status: VerdictStatus;
  /** One line: why this status (test exit code, panic line, timeout...). */
  reason: string;
  configHash: string;
  cmdline: string;
  /** False when the kernel came from the artifact store (no build run). */
  built: boolean;
  buildMs: number;
  /** Size of the kernel image that was booted (absent on a build error, and in journals written before tinyx recorded it). */
  bzImageBytes?: number;
  bootMs: number;
  testMs: number;
  /** A passing boot's timings (QEMU start to init, to the app, to its port). */
  timing?: BootTiming;
  testExitCode?: number;
  /** Last lines of the guest console (or of the build log on build-error). */
  consoleTail: string;
  buildLog?: string;
  consoleLog?: string;
  testLog?: string;
  /** A failure that did not repeat when confirmed: the first failing verdict's status and reason. */
  flaky?: string;
}

export function passed(verdict: Verdict): boolean {
  return verdict.status === 'pass';
}

/**
 * Failures worth a second look before an option is declared needed: a build error is
 * deterministic, a failing test, a boot timeout or a panic may be the tests' or the host's luck.
 */
export function confirmable(verdict: Verdict): boolean {
  return verdict.status === 'fail' || verdict.status === 'boot-timeout' || verdict.status === 'panic';
}
