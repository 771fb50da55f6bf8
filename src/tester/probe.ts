// Runs the user's tests executable against a running guest, per the test contract.
import path from 'node:path';
import { runGroup } from './group.js';
import { LogFile } from './logfile.js';

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

/**
 * TINYX_HOST, TINYX_PORT and TINYX_CONSOLE are the whole contract; exit 0 means pass. A test log that
 * cannot be written stops the tests (their process group) and throws: no verdict without it.
 */
export async function runTests(request: ProbeRequest): Promise<ProbeResult> {
  const started = Date.now();
  const logFailed = new AbortController();
  const log = new LogFile(request.logFile, () => logFailed.abort());
  const { result, stopped } = await runGroup(request.tests, [], {
    all: true,
    buffer: false,
    stdin: 'ignore',
    cwd: path.dirname(request.tests),
    timeoutMs: request.timeoutMs,
    graceMs: 2_000,
    signal: request.signal ? AbortSignal.any([request.signal, logFailed.signal]) : logFailed.signal,
    env: {
      TINYX_HOST: request.host,
      TINYX_PORT: String(request.port),
      TINYX_CONSOLE: request.consoleLog,
    },
    onStart: (child) => child.all?.on('data', (chunk: Buffer) => log.write(chunk)),
  });
  await log.end();
  if (log.failed) throw log.failed;
  return {
    passed: result.exitCode === 0 && !stopped,
    exitCode: result.exitCode,
    timedOut: stopped === 'timeout',
    durationMs: Date.now() - started,
  };
}
