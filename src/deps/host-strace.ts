// The host run behind `minimize --trace`: the app as the guest will start it, the tests against it.
import type { StraceOptions } from './strace.js';

export interface HostRun {
  appArgs: readonly string[];
  /** The TCP port the app serves on (the tests get it as TINYX_PORT); absent: none (TINYX_PORT=0). */
  port?: number;
  env?: Record<string, string>;
  cwd?: string;
  user?: string;
  /** How long the app may run with the tests, in seconds. */
  seconds: number;
  /** Stops the run (the probe and the app's processes). */
  signal?: AbortSignal;
}

/**
 * Pure: strace options that start the app on this host with the guest's arguments, environment,
 * working directory and user, and run `tests` against it on 127.0.0.1 at the guest's port (the
 * port must be free on the host). The app is stopped when the tests end, or when `signal` aborts.
 */
export function hostStrace(run: HostRun, tests: string): StraceOptions {
  return {
    args: [...run.appArgs],
    env: run.env ?? {},
    cwd: run.cwd,
    user: run.user,
    seconds: run.seconds,
    probe: { command: tests, env: { ...process.env, TINYX_HOST: '127.0.0.1', TINYX_PORT: String(run.port ?? 0) } as Record<string, string> },
    signal: run.signal,
  };
}
