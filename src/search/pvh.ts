// The PVH comparison: a kernel built with CONFIG_PVH boots two ways, its bzImage (which decompresses
// itself first) and its uncompressed vmlinux by the PVH entry (QEMU's -kernel starts it directly).
// Both are booted the same number of times, in turn, with the tests each time; the vmlinux is
// shipped when every one of its boots passed and it reached the app faster beyond the noise.
import { TinyxError } from '../errors.js';
import type { BootTiming } from '../tester/verdict.js';
import { fasterBeyondNoise, medianTiming } from './boot-speed.js';

export type KernelFile = 'bzImage' | 'vmlinux';

/** One boot's outcome: its timings when the tests passed, else why not. */
export type PvhBoot = { passed: true; timing: BootTiming } | { passed: false; reason: string };

/** One way's medians over its passing boots (ms; the guest's clock where the init printed it). */
export interface PvhWay {
  /** Each passing boot's time to the app started, host clock. */
  appMs: number[];
  medianAppMs?: number;
  medianInitMs?: number;
  medianGuestInitMs?: number;
  medianGuestAppMs?: number;
  /** The first failing boot's status and reason, when one failed. */
  failed?: string;
}

export interface PvhResult {
  runs: number;
  bzImage: PvhWay;
  vmlinux: PvhWay;
  /** What the out dir's launch files boot. */
  shipped: KernelFile;
  /** The vmlinux against the bzImage: faster or slower by how much, against the noise, or its failed boot (`failed boot N: ...`). */
  detail: string;
}

export interface PvhInput {
  runs: number;
  /** Boots the result once with that kernel file. */
  boot: (kernel: KernelFile, label: string) => Promise<PvhBoot>;
  signal?: AbortSignal;
}

/** Boots bzImage and vmlinux `runs` times each, alternating, and picks what ships. */
export async function comparePvh(input: PvhInput): Promise<PvhResult> {
  const timings: Record<KernelFile, BootTiming[]> = { bzImage: [], vmlinux: [] };
  const failed: Partial<Record<KernelFile, string>> = {};
  for (let run = 1; run <= input.runs; run++) {
    for (const kernel of ['bzImage', 'vmlinux'] as const) {
      input.signal?.throwIfAborted();
      if (failed[kernel]) continue;
      const boot = await input.boot(kernel, `PVH comparison: ${kernel} ${run}/${input.runs}`);
      if (boot.passed) timings[kernel].push(boot.timing);
      else failed[kernel] = `boot ${run}: ${boot.reason}`;
    }
  }
  const way = (kernel: KernelFile): PvhWay => {
    const known = timings[kernel];
    const m = medianTiming(known);
    const medians = { medianAppMs: m?.appMs, medianInitMs: m?.initMs, medianGuestInitMs: m?.guestInitMs, medianGuestAppMs: m?.guestAppMs };
    return { appMs: known.map((t) => t.appMs), ...Object.fromEntries(Object.entries(medians).filter(([, v]) => v !== undefined)), ...(failed[kernel] ? { failed: failed[kernel] } : {}) };
  };
  const bzImage = way('bzImage');
  const vmlinux = way('vmlinux');
  if (bzImage.failed) {
    // As in the final re-checks: the result passed during the search and fails now, so that pass was luck.
    throw new TinyxError('TINYX_FINAL_FAILS', `The minimized VM passed during the search but failed a boot of its bzImage while the PVH comparison measured it (${bzImage.failed}): the tests are flaky on it.`, {
      advice: `Make the tests deterministic (or give them more time: --test-timeout, --boot-timeout), then start afresh: a new --out, or delete the out dir's journal.jsonl, since it holds the lucky pass.`,
    });
  }
  if (vmlinux.failed) return { runs: input.runs, bzImage, vmlinux, shipped: 'bzImage', detail: `failed ${vmlinux.failed}` };
  const { faster, gainMs, noiseMs } = fasterBeyondNoise(bzImage.appMs, vmlinux.appMs);
  const detail = `${Math.abs(Math.round(gainMs))} ms ${gainMs >= 0 ? 'faster' : 'slower'} to the app (noise ${Math.round(noiseMs)} ms)`;
  return { runs: input.runs, bzImage, vmlinux, shipped: faster ? 'vmlinux' : 'bzImage', detail };
}
