// One shape for every outcome of building, booting and testing a candidate.

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
  bootMs: number;
  testMs: number;
  testExitCode?: number;
  /** Last lines of the guest console (or of the build log on build-error). */
  consoleTail: string;
  buildLog?: string;
  consoleLog?: string;
  testLog?: string;
}

export function passed(verdict: Verdict): boolean {
  return verdict.status === 'pass';
}
