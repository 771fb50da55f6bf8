// One confirming boot of a result already in its out dir: its own bzImage and initramfs, the app's tests, no build.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FlagOptions } from '../flags/minimize-options.js';
import type { Report } from '../output/report.js';
import { bootAndTest } from '../tester/boot.js';
import { stampOf } from './history.js';

export interface Confirmation {
  passed: boolean;
  /** `pass: tests passed`, or the last failing boot's status and reason. */
  detail: string;
  boots: number;
  consoleLog: string;
}

/**
 * Boots the result as run.sh does (its memory, its cmdline) and runs the tests against it. A
 * failing boot is tried again as often as the app's confirm-failures says (default once), as the
 * search confirms a failure before it counts.
 */
export async function confirmBoot(out: string, options: FlagOptions, report: Report, signal?: AbortSignal, warn?: (message: string) => void): Promise<Confirmation> {
  const cmdline = (await readFile(path.join(out, 'cmdline'), 'utf8')).trim();
  const initramfs = path.join(out, await initramfsName(out));
  const qemu = {
    ...options.profile.qemu,
    accel: options.accel ?? options.profile.qemu.accel,
    memory: report.memory ? `${report.memory.runMiB}M` : options.profile.qemu.memory,
  };
  const tries = 1 + Math.max(0, options.confirmFailures ?? 1);
  const stamp = stampOf(new Date());
  let last = { detail: '', consoleLog: '' };
  for (let boot = 1; boot <= tries; boot++) {
    const outcome = await bootAndTest({
      bzImage: path.join(out, 'bzImage'), initramfs, cmdline, qemu, port: options.port, tests: path.resolve(options.tests),
      logDir: path.join(out, '.work', 'logs', `fleet-confirm-${stamp}-${boot}`),
      bootTimeoutMs: options.bootTimeoutMs ?? 120_000, readyTimeoutMs: options.readyTimeoutMs ?? 30_000, testTimeoutMs: options.testTimeoutMs ?? 120_000,
      warn, signal,
    });
    last = { detail: `${outcome.status}: ${outcome.reason}`, consoleLog: outcome.consoleLog };
    if (outcome.status === 'pass') return { passed: true, boots: boot, ...last };
  }
  return { passed: false, boots: tries, ...last };
}

/** The initramfs run.sh boots (`-initrd NAME`), else the default name. */
async function initramfsName(out: string): Promise<string> {
  const script = await readFile(path.join(out, 'run.sh'), 'utf8').catch(() => '');
  return /-initrd\s+([^\s"']+)/.exec(script)?.[1] ?? 'initramfs.cpio.gz';
}
