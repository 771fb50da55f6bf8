// Boots a kernel on a worker, waits for the app, runs the tests there: the same outcome as bootAndTest().
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { bootAndTestOn, type BootOutcome, type BootRequest } from '../tester/boot.js';
import { command, envPrefix, quote } from '../util/shell.js';
import type { Accel } from '../vm/accel.js';
import { startRemoteGuest } from './guest.js';
import type { SshConnection } from './connection.js';
import { watched } from './shell.js';

export interface RemoteBootRequest extends Omit<BootRequest, 'logDir'> {
  /** Worker-side job dir (console.log, test.log); bzImage, initramfs and tests are worker paths. */
  jobDir: string;
  /** Local dir the console is streamed to. */
  logDir: string;
  /** The worker's own accelerator (its probe's answer, see startRemoteExecutors). */
  accel: Accel;
}

export async function remoteBootAndTest(ssh: SshConnection, request: RemoteBootRequest): Promise<BootOutcome> {
  const remoteConsole = path.posix.join(request.jobDir, 'console.log');
  return bootAndTestOn({
    // No way to ask the worker for a free port without a helper there: pick one, retried if taken.
    pickPort: async () => randomInt(20_000, 61_000),
    startGuest: (spec) => startRemoteGuest(ssh, { ...spec, consoleLog: remoteConsole, localConsoleLog: spec.consoleLog }),
    waitForPort: (hostPort, timeoutMs, signal) => waitForRemotePort(ssh, hostPort, timeoutMs, signal),
    runTests: (hostPort, testLog) => runRemoteTests(ssh, { ...request, hostPort, remoteConsole, testLog }),
  }, request);
}

/** Runs the tests executable on the worker with the test contract's environment; fetches test.log. */
async function runRemoteTests(ssh: SshConnection, r: RemoteBootRequest & { hostPort: number; remoteConsole: string; testLog: string }) {
  const started = Date.now();
  const remoteLog = path.posix.join(r.jobDir, 'test.log');
  const env = envPrefix({ TINYX_HOST: '127.0.0.1', TINYX_PORT: String(r.hostPort), TINYX_CONSOLE: r.remoteConsole });
  const seconds = Math.max(1, Math.ceil(r.testTimeoutMs / 1000));
  const script = `cd ${quote(path.posix.dirname(r.tests))} && ${env}${command(['timeout', '-k', '2', String(seconds), r.tests])} >${quote(remoteLog)} 2>&1`;
  const result = await ssh.exec(watched(script), { holdStdin: true, signal: r.signal });
  await ssh.get(remoteLog, r.testLog).catch(() => undefined);
  const durationMs = Date.now() - started;
  const timedOut = result.code === 124 && durationMs >= r.testTimeoutMs - 1_000;
  const exitCode = result.code ?? undefined;
  return { passed: exitCode === 0 && !timedOut, exitCode, timedOut, durationMs };
}

/** Like waitForPort(), through a direct-tcpip channel opened on the worker (QEMU listens on its loopback). */
async function waitForRemotePort(ssh: SshConnection, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await remotePortAccepts(ssh, port)) return true;
    await sleep(250);
  }
  return false;
}

async function remotePortAccepts(ssh: SshConnection, port: number, holdMs = 400): Promise<boolean> {
  const channel = await ssh.forward('127.0.0.1', port).catch((error: unknown) => {
    if (ssh.lost) throw error;
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
