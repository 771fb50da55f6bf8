// How a guest's QEMU ended decides whether its boot is a verdict: a QEMU that died (a signal, an
// error status) or whose console could not be written failed, and the guest is not to blame.
import { TinyxError } from '../errors.js';
import type { Guest, GuestEnd } from './guest.js';

/** How long a boot without a pass waits to learn whether QEMU died (its exit is noticed a moment later). */
const EXIT_GRACE_MS = 200;

/**
 * Why a finished boot is not a verdict, if it is not: a guest ends by powering off or rebooting under
 * -no-reboot, and then QEMU exits 0 (a guest's panic with panic=-1 too); a QEMU killed by a signal
 * (the OOM killer, a crash) or exiting with an error status failed, and so did a boot whose console
 * log could not be written. A run that is being stopped blames nothing.
 */
export async function guestFailure(guest: Guest, passed: boolean, signal?: AbortSignal): Promise<TinyxError | undefined> {
  // A QEMU that ended is waited for until its console log is flushed (a failed write shows then).
  if (guest.ended()) await guest.exited;
  else if (!passed) await Promise.race([guest.exited, new Promise((r) => setTimeout(r, EXIT_GRACE_MS))]);
  const end = guest.ended();
  if (!end || signal?.aborted) return undefined;
  if (end.logFailure) return end.logFailure;
  if (end.signal === undefined && (end.exitCode ?? 0) === 0) return undefined;
  const said = lastQemuLine(guest.console());
  return new TinyxError('TINYX_QEMU_FAILED', `QEMU ${howItEnded(end)} while the guest ran${said ? `: ${said}` : ''}`, {
    advice: 'QEMU died or was killed from outside (out of memory? see dmesg); the candidate is tried once more, and if it happens again the run stops. Run the same command again to resume.',
  });
}

function howItEnded(end: GuestEnd): string {
  if (end.signal) return `was killed by ${end.signal}`;
  const code = end.exitCode ?? 0;
  // A worker's shell reports a signal as 128 + its number.
  return code > 128 ? `exited with status ${code} (signal ${code - 128})` : `exited with status ${code}`;
}

/** QEMU's last line of its own on the console stream (its stderr), if it printed one. */
function lastQemuLine(console: string): string | undefined {
  return console.split(/\r?\n/).filter((l) => /^qemu(-system-\w+)?: /.test(l)).at(-1)?.trim();
}
