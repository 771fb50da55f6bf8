// Runs a command in its own process group, so a cancel or a timeout stops every process it started.
import { execa, type Options, type Result } from 'execa';

export interface GroupRun {
  result: Result;
  /** Why it was stopped, if it was. */
  stopped?: 'canceled' | 'timeout';
}

/**
 * Like execa, but `signal` and `timeoutMs` kill the whole process group (SIGTERM, then SIGKILL
 * after `graceMs`): `make` and test scripts leave grandchildren that would otherwise keep running
 * and keep the output pipe open.
 */
export async function runGroup(
  file: string,
  args: string[],
  options: Options & { signal?: AbortSignal; timeoutMs?: number; graceMs?: number; onStart?: (child: ReturnType<typeof execa>) => void },
): Promise<GroupRun> {
  const { signal, timeoutMs, graceMs = 5_000, onStart, ...execaOptions } = options;
  const child = execa(file, args, { ...execaOptions, detached: true, reject: false });
  onStart?.(child);
  let stopped: GroupRun['stopped'];
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  let forceTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'canceled' | 'timeout') => {
    if (stopped) return;
    stopped = why;
    killGroup('SIGTERM');
    forceTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
  };
  const onAbort = () => stop('canceled');
  if (signal?.aborted) stop('canceled');
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
  try {
    const result = (await child) as Result;
    return { result, stopped };
  } finally {
    clearTimeout(timer);
    clearTimeout(forceTimer);
    signal?.removeEventListener('abort', onAbort);
    if (stopped) killGroup('SIGKILL');
  }
}
