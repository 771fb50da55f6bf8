// One confirming boot of a result already in its out dir: its own bzImage and initramfs, the app's tests, no build.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { shippedKernel, type Report } from '../output/report.js';
import { initramfsFileName } from '../packager/compress.js';
import { hostFacts } from '../plan/host.js';
import { makePlan } from '../plan/plan.js';
import { readRunJson, recordedCompression, requestFromRecord } from '../plan/record.js';
import type { Profile } from '../profile/types.js';
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
 * Boots the result as run.sh does (its memory, its cmdline) and runs the tests against it, with
 * the run planned again from its run.json. A failing boot is tried again as often as the run's
 * confirm-failures says (default once), as the search confirms a failure before it counts.
 */
export async function confirmBoot(out: string, profile: Profile, report: Report, signal?: AbortSignal, warn?: (message: string) => void): Promise<Confirmation> {
  const run = await readRunJson(out);
  const plan = makePlan(requestFromRecord(run, profile), hostFacts());
  const cmdline = (await readFile(path.join(out, 'cmdline'), 'utf8')).trim();
  const initramfs = path.join(out, initramfsFileName(recordedCompression(run)));
  const qemu = { ...plan.boot.qemu, memory: report.memory ? `${report.memory.runMiB}M` : plan.boot.qemu.memory };
  const tries = 1 + Math.max(0, plan.search.confirmFailures);
  const stamp = stampOf(new Date());
  let last = { detail: '', consoleLog: '' };
  for (let boot = 1; boot <= tries; boot++) {
    const outcome = await bootAndTest({
      ...plan.boot, ...plan.test, bzImage: path.join(out, shippedKernel(report)), initramfs, cmdline, qemu,
      logDir: path.join(out, '.work', 'logs', `fleet-confirm-${stamp}-${boot}`), warn, signal,
    });
    last = { detail: `${outcome.status}: ${outcome.reason}`, consoleLog: outcome.consoleLog };
    if (outcome.status === 'pass') return { passed: true, boots: boot, ...last };
  }
  return { passed: false, boots: tries, ...last };
}
