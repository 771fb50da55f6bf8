// Watches one booted guest to its outcome: the app's marker (or a panic, or init failing), its port, the tests.
import { setTimeout as sleep } from 'node:timers/promises';
import { TinyxError } from '../errors.js';
import { MARKER_APP_EXITED, MARKER_APP_STARTED, MARKER_INIT_FAILED, MARKER_INIT_STARTED } from '../packager/markers.js';
import type { Accel } from '../vm/accel.js';
import type { BootOutcome, BootRequest, GuestHost } from './boot-types.js';
import type { ConsoleMatch } from './console.js';
import type { Guest } from './guest.js';
import type { BootTiming, VerdictStatus } from './verdict.js';

const INIT_STARTED = new RegExp(`^${MARKER_INIT_STARTED}`);

const PANIC = /Kernel panic - not syncing.*|No working init found.*/;
const FORWARD_FAILED = /Could not set up host forwarding rule/;
/** QEMU's own error lines (stderr shares the console stream); a guest never prints this prefix. */
const QEMU_ERROR = /^qemu-system-\w+: (?!warning)/;
/** Under KVM a guest prints within a second or two; silence this long means KVM does not run guests here. */
export const KVM_SILENCE_MS = 20_000;

export interface Attempt {
  consoleLog: string;
  testLog: string;
  hostPort: number;
  started: number;
  accel: Accel;
  /** QEMU's port forward failed on the last port to try: that is QEMU's failure. */
  lastAttempt: boolean;
}

/** One boot's outcome, or 'port-taken' when QEMU could not forward the chosen port (pick another). */
export async function watchBoot(host: GuestHost, guest: Guest, request: BootRequest, at: Attempt): Promise<BootOutcome | 'port-taken'> {
  const { consoleLog, testLog, hostPort, started, accel } = at;
  const outcome = (status: VerdictStatus, reason: string, extra: Partial<BootOutcome> = {}): BootOutcome => ({
    status, reason, bootMs: Date.now() - started, testMs: 0, consoleLog, testLog,
    consoleTail: guest.console().split(/\r?\n/).slice(-25).join('\n'), ...extra,
  });
  const appStarted = new RegExp(`^${MARKER_APP_STARTED}`);
  const initFailed = new RegExp(`^${MARKER_INIT_FAILED}`);
  // A console that ended (QEMU exited) is not silence: guestFailure() says why it ended.
  const silent = () => accel === 'kvm' && guest.console().length === 0 && !guest.ended();
  if (accel === 'kvm' && request.bootTimeoutMs > KVM_SILENCE_MS) {
    const first = await guest.waitFor([/./], KVM_SILENCE_MS);
    if (!first && silent()) throw silentUnderKvm();
  }
  let match = await guest.waitFor([appStarted, initFailed, PANIC, FORWARD_FAILED, QEMU_ERROR], request.bootTimeoutMs);
  if (match?.pattern === FORWARD_FAILED) {
    if (!at.lastAttempt) return 'port-taken';
    throw qemuFailed(match.line.trim(), accel);
  }
  if (match?.pattern === QEMU_ERROR) {
    // QEMU itself failed (a bad option, an accelerator error): not the config's doing.
    const exited = await Promise.race([guest.exited.then(() => true), sleep(3_000).then(() => false)]);
    if (exited) throw qemuFailed(match.line.trim(), accel);
    match = await guest.waitFor([appStarted, initFailed, PANIC], Math.max(0, request.bootTimeoutMs - (Date.now() - started)));
  }
  if (!match) {
    if (silent()) throw silentUnderKvm();
    const panic = PANIC.exec(guest.console());
    if (panic) return outcome('panic', panic[0].trim());
    const exited = await Promise.race([guest.exited.then(() => true), sleep(10).then(() => false)]);
    return outcome('boot-timeout', exited ? 'the guest stopped before the app started' : `no ${MARKER_APP_STARTED} within ${request.bootTimeoutMs / 1000} s`);
  }
  if (match.pattern === PANIC) return outcome('panic', match.line.trim());
  if (match.pattern !== appStarted) return outcome('fail', match.line.trim());
  const bootMs = Date.now() - started;
  if (request.network) {
    // An app that is already gone (its exit marker, a panic) is a verdict now, not after the ready timeout.
    const gone = await appGoneOrListening(host, guest, hostPort, request);
    if (gone) return outcome(gone.pattern === PANIC ? 'panic' : 'fail', gone.pattern === PANIC ? gone.line.trim() : `the app exited before its port answered (${gone.line.trim()})`, { bootMs });
  }
  const readyAt = Date.now();
  const init = await guest.waitFor([INIT_STARTED], 0);
  const [guestInitMs, guestAppMs] = [init && guestClockMs(init.line), guestClockMs(match.line)];
  const timing: BootTiming = {
    ...(init && init.at <= match.at ? { initMs: init.at - started } : {}), appMs: match.at - started, ...(request.network ? { readyMs: readyAt - started } : {}),
    ...(guestInitMs !== undefined ? { guestInitMs } : {}), ...(guestAppMs !== undefined ? { guestAppMs } : {}),
  };
  const probe = await host.runTests(hostPort, testLog);
  const reason = probe.passed ? 'tests passed' : probe.timedOut ? `tests timed out after ${request.testTimeoutMs / 1000} s` : `tests exited with ${probe.exitCode}`;
  return outcome(probe.passed ? 'pass' : 'fail', reason, { bootMs, testMs: probe.durationMs, testExitCode: probe.exitCode, ...(probe.passed ? { timing } : {}) });
}

/** Pure: the guest's clock on a marker line ("TINYX-APP-STARTED 0.412345": seconds since the kernel's timekeeping started), in ms. */
export function guestClockMs(line: string): number | undefined {
  const seconds = /^TINYX-[A-Z-]+ (\d+)\.(\d{6})\s*$/.exec(line);
  return seconds ? Number(seconds[1]) * 1000 + Math.round(Number(seconds[2]) / 1000) : undefined;
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
