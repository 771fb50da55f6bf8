// Boots one kernel + initramfs, waits for the app, runs the tests, stops the guest: a verdict.
import path from 'node:path';
import { TinyxError, isTinyxError } from '../errors.js';
import { MARKER_APP_EXITED, MARKER_APP_STARTED, MARKER_INIT_FAILED, MARKER_INIT_STARTED } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import { freePort, waitForPort } from './ports.js';
import { runTests, type ProbeResult } from './probe.js';
import { recordAccel, resolveAccel, type Accel, type AccelChoice } from './accel.js';
import { findQemu, startGuest, type Guest, type GuestSpec } from './qemu.js';
import type { ConsoleMatch } from './console.js';
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
  /** The accelerator decided for this host; bootAndTest() decides from qemu.accel when absent. */
  accel?: Accel;
  /** Told once when KVM is disproved mid-run and the boot goes on under TCG. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/**
 * How long a boot took, from QEMU's start (host clock, console lines as they arrived): to the kernel
 * handing over to init (the init's first line), to the app started (its marker), to the app's port
 * answering (servers only).
 */
export interface BootTiming {
  initMs?: number;
  appMs: number;
  readyMs?: number;
}

const INIT_STARTED = new RegExp(`^${MARKER_INIT_STARTED}`);

export interface BootOutcome {
  status: VerdictStatus;
  reason: string;
  /** A passing boot's timings. */
  timing?: BootTiming;
  bootMs: number;
  testMs: number;
  testExitCode?: number;
  consoleTail: string;
  consoleLog: string;
  testLog: string;
}

const PANIC = /Kernel panic - not syncing.*|No working init found.*/;
const FORWARD_FAILED = /Could not set up host forwarding rule/;
/** QEMU's own error lines (stderr shares the console stream); a guest never prints this prefix. */
const QEMU_ERROR = /^qemu-system-\w+: (?!warning)/;
/** Under KVM a guest prints within a second or two; silence this long means KVM does not run guests here. */
export const KVM_SILENCE_MS = 20_000;

/** Where a guest runs: this machine, or a worker host (src/remote/boot.ts). */
export interface GuestHost {
  /** A port on the host's loopback for QEMU to forward to the app (retried if taken). */
  pickPort(): Promise<number>;
  startGuest(spec: GuestSpec): Promise<Guest>;
  waitForPort(hostPort: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  runTests(hostPort: number, testLog: string): Promise<ProbeResult>;
}

export const localHost = (request: BootRequest, consoleLog: string): GuestHost => ({
  pickPort: freePort,
  startGuest: (spec) => startGuest(spec, request.signal),
  waitForPort: (hostPort, timeoutMs, signal) => waitForPort('127.0.0.1', hostPort, timeoutMs, signal),
  runTests: (hostPort, testLog) => runTests({
    tests: request.tests, host: '127.0.0.1', port: hostPort, consoleLog, logFile: testLog, timeoutMs: request.testTimeoutMs, signal: request.signal,
  }),
});

export async function bootAndTest(request: BootRequest): Promise<BootOutcome> {
  const host = localHost(request, path.join(request.logDir, 'console.log'));
  if (request.accel) return bootAndTestOn(host, request);
  const probe = { choice: request.qemu.accel, qemu: await findQemu(), machine: request.qemu.machine };
  const decision = await resolveAccel(probe);
  return withTcgFallback(decision.choice, decision.accel, (accel) => bootAndTestOn(host, { ...request, accel }), async (error) => {
    await recordAccel(probe, 'tcg', error.message);
    request.warn?.(`${error.message}; using TCG from now on (remembered for this host)`);
  });
}

/**
 * `boot` under `accel`; when `auto` trusted KVM after its probe (a firmware-only guest) and a real
 * guest printed nothing, as on a VM whose /dev/kvm opens but runs nothing, `onTcg` is told and the
 * boot runs again under TCG. The local host and each worker use it.
 */
export async function withTcgFallback<T>(choice: AccelChoice, accel: Accel, boot: (accel: Accel) => Promise<T>, onTcg: (error: TinyxError) => void | Promise<void>): Promise<T> {
  try {
    return await boot(accel);
  } catch (error) {
    if (!isTinyxError(error, 'TINYX_ACCEL_SILENT') || choice !== 'auto') throw error;
    await onTcg(error);
    return boot('tcg');
  }
}

/** Boot, wait for the app's marker, wait for its port, run the tests, stop the guest. */
export async function bootAndTestOn(host: GuestHost, request: BootRequest): Promise<BootOutcome> {
  const consoleLog = path.join(request.logDir, 'console.log');
  const testLog = path.join(request.logDir, 'test.log');
  for (let attempt = 1; ; attempt++) {
    const hostPort = request.port > 0 ? await host.pickPort() : 0;
    const started = Date.now();
    const accel = request.accel ?? 'tcg';
    const guest = await host.startGuest({
      bzImage: request.bzImage, initramfs: request.initramfs, cmdline: request.cmdline,
      machine: request.qemu.machine, memory: request.qemu.memory, netDevice: request.qemu.netDevice, extraArgs: request.qemu.extraArgs,
      guestPort: request.port, hostPort, consoleLog, accel,
    });
    const outcome = (status: VerdictStatus, reason: string, extra: Partial<BootOutcome> = {}): BootOutcome => ({
      status, reason, bootMs: Date.now() - started, testMs: 0, consoleLog, testLog,
      consoleTail: guest.console().split(/\r?\n/).slice(-25).join('\n'), ...extra,
    });
    try {
      const appStarted = new RegExp(`^${MARKER_APP_STARTED}`);
      const initFailed = new RegExp(`^${MARKER_INIT_FAILED}`);
      if (accel === 'kvm' && request.bootTimeoutMs > KVM_SILENCE_MS) {
        const first = await guest.waitFor([/./], KVM_SILENCE_MS);
        if (!first && guest.console().length === 0) throw silentUnderKvm();
      }
      let match = await guest.waitFor([appStarted, initFailed, PANIC, FORWARD_FAILED, QEMU_ERROR], request.bootTimeoutMs);
      if (match?.pattern === FORWARD_FAILED) {
        if (attempt < 4) continue;
        throw qemuFailed(match.line.trim(), accel);
      }
      if (match?.pattern === QEMU_ERROR) {
        // QEMU itself failed (a bad option, an accelerator error): not the config's doing.
        const exited = await Promise.race([guest.exited.then(() => true), sleep(3_000).then(() => false)]);
        if (exited) throw qemuFailed(match.line.trim(), accel);
        match = await guest.waitFor([appStarted, initFailed, PANIC], Math.max(0, request.bootTimeoutMs - (Date.now() - started)));
      }
      if (!match) {
        if (accel === 'kvm' && guest.console().length === 0) throw silentUnderKvm();
        const panic = PANIC.exec(guest.console());
        if (panic) return outcome('panic', panic[0].trim());
        const exited = await Promise.race([guest.exited.then(() => true), sleep(10).then(() => false)]);
        return outcome('boot-timeout', exited ? 'the guest stopped before the app started' : `no ${MARKER_APP_STARTED} within ${request.bootTimeoutMs / 1000} s`);
      }
      if (match.pattern === PANIC) return outcome('panic', match.line.trim());
      if (match.pattern !== appStarted) return outcome('fail', match.line.trim());
      const bootMs = Date.now() - started;
      if (request.port > 0) {
        // An app that is already gone (its exit marker, a panic) is a verdict now, not after the ready timeout.
        const gone = await appGoneOrListening(host, guest, hostPort, request);
        if (gone) return outcome(gone.pattern === PANIC ? 'panic' : 'fail', gone.pattern === PANIC ? gone.line.trim() : `the app exited before its port answered (${gone.line.trim()})`, { bootMs });
      }
      const readyAt = Date.now();
      const init = await guest.waitFor([INIT_STARTED], 0);
      const timing: BootTiming = {
        ...(init && init.at <= match.at ? { initMs: init.at - started } : {}), appMs: match.at - started, ...(request.port > 0 ? { readyMs: readyAt - started } : {}),
      };
      const probe = await host.runTests(hostPort, testLog);
      const reason = probe.passed ? 'tests passed' : probe.timedOut ? `tests timed out after ${request.testTimeoutMs / 1000} s` : `tests exited with ${probe.exitCode}`;
      return outcome(probe.passed ? 'pass' : 'fail', reason, { bootMs, testMs: probe.durationMs, testExitCode: probe.exitCode, ...(probe.passed ? { timing } : {}) });
    } finally {
      await guest.stop();
    }
  }
}

/** Waits for the app's port; resolves with the console line if the app exits (or the kernel panics) first. */
async function appGoneOrListening(host: GuestHost, guest: Guest, hostPort: number, request: BootRequest): Promise<ConsoleMatch | undefined> {
  const done = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, done.signal]) : done.signal;
  const exited = new RegExp(`^${MARKER_APP_EXITED} `);
  try {
    return await Promise.race([
      host.waitForPort(hostPort, request.readyTimeoutMs, signal).then(() => undefined),
      guest.waitFor([exited, PANIC], request.readyTimeoutMs).then((match) => match ?? new Promise<never>(() => undefined)),
    ]);
  } finally {
    done.abort();
  }
}

function silentUnderKvm(): TinyxError {
  return new TinyxError('TINYX_ACCEL_SILENT', `A guest started under KVM printed nothing at all within ${KVM_SILENCE_MS / 1000} s: KVM does not run guests on this host`, {
    advice: 'Use --accel tcg (or TINYX_ACCEL=tcg, or qemu.accel: tcg in the profile); --accel auto probes KVM before trusting it.',
  });
}

function qemuFailed(line: string, accel: Accel): TinyxError {
  return new TinyxError('TINYX_QEMU_FAILED', `QEMU failed to start the guest: ${line}`, {
    advice: accel === 'kvm' ? 'If this is about KVM, use --accel tcg.' : 'Check the profile\'s qemu settings (machine, memory, netDevice, extraArgs) and that the port is free.',
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
