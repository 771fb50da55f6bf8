// Boots a kernel on a worker, waits for the app, runs the tests there: the same outcome as bootAndTest().
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { MARKER_APP_STARTED, MARKER_INIT_FAILED } from '../packager/markers.js';
import type { BootOutcome, BootRequest } from '../tester/boot.js';
import type { VerdictStatus } from '../tester/verdict.js';
import { startRemoteGuest } from './guest.js';
import type { Session } from './session.js';
import { command, envPrefix, quote, watched } from './shell.js';

export interface RemoteBootRequest extends Omit<BootRequest, 'logDir'> {
  /** Worker-side job dir (console.log, test.log); bzImage, initramfs and tests are worker paths. */
  jobDir: string;
  /** Local dir the console is streamed to. */
  logDir: string;
  kvm: boolean;
}

const PANIC = /Kernel panic - not syncing.*|No working init found.*/;
const FORWARD_FAILED = /Could not set up host forwarding rule/;

export async function remoteBootAndTest(session: Session, request: RemoteBootRequest): Promise<BootOutcome> {
  const consoleLog = path.join(request.logDir, 'console.log');
  const testLog = path.join(request.logDir, 'test.log');
  const remoteConsole = path.posix.join(request.jobDir, 'console.log');
  for (let attempt = 1; ; attempt++) {
    // No way to ask the worker for a free port without a helper there: pick one, retry if taken.
    const hostPort = request.port > 0 ? randomInt(20_000, 61_000) : 0;
    const started = Date.now();
    const guest = await startRemoteGuest(session, {
      bzImage: request.bzImage, initramfs: request.initramfs, cmdline: request.cmdline, machine: request.qemu.machine,
      memory: request.qemu.memory, extraArgs: request.qemu.extraArgs, guestPort: request.port, hostPort,
      consoleLog: remoteConsole, localConsoleLog: consoleLog, kvm: request.kvm,
    });
    const outcome = (status: VerdictStatus, reason: string, extra: Partial<BootOutcome> = {}): BootOutcome => ({
      status, reason, bootMs: Date.now() - started, testMs: 0, consoleLog, testLog,
      consoleTail: guest.console().split(/\r?\n/).slice(-25).join('\n'), ...extra,
    });
    try {
      const started_ = new RegExp(`^${MARKER_APP_STARTED}`);
      const failed = new RegExp(`^${MARKER_INIT_FAILED}`);
      const match = await guest.waitFor([started_, failed, PANIC, FORWARD_FAILED], request.bootTimeoutMs);
      if (match?.pattern === FORWARD_FAILED && attempt < 4) continue;
      if (!match) {
        const panic = PANIC.exec(guest.console());
        if (panic) return outcome('panic', panic[0].trim());
        const exited = await Promise.race([guest.exited.then(() => true), sleep(10).then(() => false)]);
        return outcome('boot-timeout', exited ? 'the guest stopped before the app started' : `no ${MARKER_APP_STARTED} within ${request.bootTimeoutMs / 1000} s`);
      }
      if (match.pattern === PANIC) return outcome('panic', match.line.trim());
      if (match.pattern === failed) return outcome('fail', match.line.trim());
      const bootMs = Date.now() - started;
      if (request.port > 0) await waitForRemotePort(session, hostPort, request.readyTimeoutMs, request.signal);
      const probe = await runRemoteTests(session, { ...request, hostPort, remoteConsole, testLog });
      const reason = probe.passed ? 'tests passed' : probe.timedOut ? `tests timed out after ${request.testTimeoutMs / 1000} s` : `tests exited with ${probe.exitCode}`;
      return outcome(probe.passed ? 'pass' : 'fail', reason, { bootMs, testMs: probe.durationMs, testExitCode: probe.exitCode });
    } finally {
      await guest.stop();
    }
  }
}

/** Runs the tests executable on the worker with the test contract's environment; fetches test.log. */
async function runRemoteTests(session: Session, r: RemoteBootRequest & { hostPort: number; remoteConsole: string; testLog: string }) {
  const started = Date.now();
  const remoteLog = path.posix.join(r.jobDir, 'test.log');
  const env = envPrefix({ TINYX_HOST: '127.0.0.1', TINYX_PORT: String(r.hostPort), TINYX_CONSOLE: r.remoteConsole });
  const seconds = Math.max(1, Math.ceil(r.testTimeoutMs / 1000));
  const script = `cd ${quote(path.posix.dirname(r.tests))} && ${env}${command(['timeout', '-k', '2', String(seconds), r.tests])} >${quote(remoteLog)} 2>&1`;
  const result = await session.exec(watched(script), { holdStdin: true, signal: r.signal });
  await session.get(remoteLog, r.testLog).catch(() => undefined);
  const durationMs = Date.now() - started;
  const timedOut = result.code === 124 && durationMs >= r.testTimeoutMs - 1_000;
  const exitCode = result.code ?? undefined;
  return { passed: exitCode === 0 && !timedOut, exitCode, timedOut, durationMs };
}

/** Like waitForPort(), through a direct-tcpip channel opened on the worker (QEMU listens on its loopback). */
async function waitForRemotePort(session: Session, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await remotePortAccepts(session, port)) return true;
    await sleep(250);
  }
  return false;
}

async function remotePortAccepts(session: Session, port: number, holdMs = 400): Promise<boolean> {
  const channel = await session.forward('127.0.0.1', port).catch((error: unknown) => {
    if (session.lost) throw error;
    return undefined;
  });
  if (!channel) return false;
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(true), holdMs);
    channel.on('data', () => done(true));
    channel.on('end', () => done(false));
    channel.on('close', () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
