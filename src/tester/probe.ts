// Runs the user's tests executable against a running guest, per the test contract.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { runGroup } from './group.js';

export interface ProbeRequest {
  tests: string;
  host: string;
  port: number;
  consoleLog: string;
  logFile: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ProbeResult {
  passed: boolean;
  exitCode?: number;
  timedOut: boolean;
  durationMs: number;
}

/** TINYX_HOST, TINYX_PORT and TINYX_CONSOLE are the whole contract; exit 0 means pass. */
export async function runTests(request: ProbeRequest): Promise<ProbeResult> {
  const started = Date.now();
  const log = createWriteStream(request.logFile);
  const { result, stopped } = await runGroup(request.tests, [], {
    all: true,
    buffer: false,
    stdin: 'ignore',
    cwd: path.dirname(request.tests),
    timeoutMs: request.timeoutMs,
    graceMs: 2_000,
    signal: request.signal,
    env: {
      TINYX_HOST: request.host,
      TINYX_PORT: String(request.port),
      TINYX_CONSOLE: request.consoleLog,
    },
    onStart: (child) => child.all?.pipe(log),
  });
  await new Promise<void>((resolve) => log.end(resolve));
  return {
    passed: result.exitCode === 0 && !stopped,
    exitCode: result.exitCode,
    timedOut: stopped === 'timeout',
    durationMs: Date.now() - started,
  };
}
