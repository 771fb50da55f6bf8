// Boots one kernel + initramfs, waits for the app, runs the tests, stops the guest: a verdict.
import path from 'node:path';
import { MARKER_APP_STARTED, MARKER_INIT_FAILED } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import { freePort, waitForPort } from './ports.js';
import { runTests } from './probe.js';
import { startGuest } from './qemu.js';
import type { VerdictStatus } from './verdict.js';

export interface BootRequest {
  bzImage: string;
  initramfs: string;
  cmdline: string;
  qemu: Profile['qemu'];
  /** The app's port in the guest; 0 = no network, tests run once the app started. */
  port: number;
  tests: string;
  logDir: string;
  bootTimeoutMs: number;
  readyTimeoutMs: number;
  testTimeoutMs: number;
  signal?: AbortSignal;
}

export interface BootOutcome {
  status: VerdictStatus;
  reason: string;
  bootMs: number;
  testMs: number;
  testExitCode?: number;
  consoleTail: string;
  consoleLog: string;
  testLog: string;
}

const PANIC = /Kernel panic - not syncing.*|No working init found.*/;

export async function bootAndTest(request: BootRequest): Promise<BootOutcome> {
  const consoleLog = path.join(request.logDir, 'console.log');
  const testLog = path.join(request.logDir, 'test.log');
  const hostPort = request.port > 0 ? await freePort() : 0;
  const started = Date.now();
  const guest = await startGuest({
    bzImage: request.bzImage, initramfs: request.initramfs, cmdline: request.cmdline,
    machine: request.qemu.machine, memory: request.qemu.memory, extraArgs: request.qemu.extraArgs,
    guestPort: request.port, hostPort, consoleLog,
  }, request.signal);
  const outcome = (status: VerdictStatus, reason: string, extra: Partial<BootOutcome> = {}): BootOutcome => ({
    status, reason, bootMs: Date.now() - started, testMs: 0, consoleLog, testLog,
    consoleTail: guest.console().split(/\r?\n/).slice(-25).join('\n'), ...extra,
  });
  try {
    const started_ = new RegExp(`^${MARKER_APP_STARTED}`);
    const failed = new RegExp(`^${MARKER_INIT_FAILED}`);
    const match = await guest.waitFor([started_, failed, PANIC], request.bootTimeoutMs);
    if (!match) {
      const panic = PANIC.exec(guest.console());
      if (panic) return outcome('panic', panic[0].trim());
      const exited = await Promise.race([guest.exited.then(() => true), sleep(10).then(() => false)]);
      return outcome('boot-timeout', exited ? 'the guest stopped before the app started' : `no ${MARKER_APP_STARTED} within ${request.bootTimeoutMs / 1000} s`);
    }
    if (match.pattern === PANIC) return outcome('panic', match.line.trim());
    if (match.pattern === failed) return outcome('fail', match.line.trim());
    const bootMs = Date.now() - started;
    if (request.port > 0) await waitForPort('127.0.0.1', hostPort, request.readyTimeoutMs, request.signal);
    const probe = await runTests({
      tests: request.tests, host: '127.0.0.1', port: hostPort, consoleLog, logFile: testLog,
      timeoutMs: request.testTimeoutMs, signal: request.signal,
    });
    const reason = probe.passed ? 'tests passed' : probe.timedOut ? `tests timed out after ${request.testTimeoutMs / 1000} s` : `tests exited with ${probe.exitCode}`;
    return outcome(probe.passed ? 'pass' : 'fail', reason, { bootMs, testMs: probe.durationMs, testExitCode: probe.exitCode });
  } finally {
    await guest.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
