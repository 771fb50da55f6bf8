// The boot-speed search (--boot-speedups): boot options that are known to cut boot time (the profile's
// boot.speedups), added to the searched command line one at a time, each kept only when the tests pass
// on every boot with it and the boot is faster beyond the noise of the boots measured.
import type { BootTiming } from '../tester/verdict.js';

/** Several boots of one command line: whether all passed, and each passing boot's time to the app started (ms). */
export interface BootSample {
  passed: boolean;
  /** The first failure's status and reason, when one failed. */
  reason: string;
  ms: number[];
}

export interface SpeedupTrial {
  option: string;
  kept: boolean;
  /** Why (faster by how much, within the noise, or failed). */
  detail: string;
  /** The median boot with it (ms), when all its boots passed. */
  medianMs?: number;
}

export interface BootSpeedResult {
  /** The options added, in the order they were. */
  added: string[];
  trials: SpeedupTrial[];
  /** Boots per command line measured. */
  runs: number;
  /** The median boot before any addition and with the kept ones (ms). */
  fromMs: number;
  toMs: number;
  cmdline: string;
}

/** A gain smaller than this share of the boot is never taken for one, however steady the boots. */
export const MIN_GAIN_SHARE = 0.02;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** Each timing's median over the boots that have one (the lower middle of an even count): the final VM's re-checks, each kernel file's boots in the PVH comparison. */
export function medianTiming(timings: (BootTiming | undefined)[]): BootTiming | undefined {
  const known = timings.filter((t): t is BootTiming => t !== undefined);
  if (!known.length) return undefined;
  const lowerMiddle = (values: number[]) => values.length ? values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] : undefined;
  const pick = (key: keyof BootTiming) => lowerMiddle(known.map((t) => t[key]).filter((v): v is number => v !== undefined));
  const optional = (['initMs', 'readyMs', 'guestInitMs', 'guestAppMs'] as const).flatMap((key) => {
    const value = pick(key);
    return value === undefined ? [] : [[key, value] as const];
  });
  return { appMs: pick('appMs')!, ...Object.fromEntries(optional) };
}

/** The median absolute deviation: how far a boot strays from the median, typically. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Pure: whether the boots of `tried` are faster than those of `base` beyond the noise: the medians
 * differ by more than twice the larger spread (MAD) of the two, and by more than MIN_GAIN_SHARE.
 */
export function fasterBeyondNoise(base: readonly number[], tried: readonly number[]): { faster: boolean; gainMs: number; noiseMs: number } {
  const gainMs = median(base) - median(tried);
  const noiseMs = Math.max(2 * Math.max(mad(base), mad(tried)), MIN_GAIN_SHARE * median(base));
  return { faster: gainMs > noiseMs, gainMs, noiseMs };
}

/** The name of a boot option (`tsc` of `tsc=reliable`), which the command line holds at most once. */
export function optionName(token: string): string {
  const eq = token.indexOf('=');
  return eq < 0 ? token : token.slice(0, eq);
}

export interface BootSpeedInput {
  cmdline: string;
  speedups: readonly string[];
  runs: number;
  /** Boots the result `runs` times with this command line. */
  measure: (cmdline: string, label: string) => Promise<BootSample>;
  signal?: AbortSignal;
}

/** Tries each speedup the command line does not set yet (by name), keeping those that pass faster. */
export async function searchBootSpeedups(input: BootSpeedInput): Promise<BootSpeedResult> {
  let cmdline = input.cmdline;
  let base = await input.measure(cmdline, 'boot speed: the result');
  if (!base.passed) throw new Error(`the result failed a boot while its speed was measured (${base.reason})`);
  const fromMs = median(base.ms);
  const added: string[] = [];
  const trials: SpeedupTrial[] = [];
  for (const option of input.speedups) {
    input.signal?.throwIfAborted();
    const present = new Set(cmdline.split(/\s+/).filter(Boolean).map(optionName));
    if (present.has(optionName(option))) continue;
    const tried = await input.measure(`${cmdline} ${option}`, `boot speed: +${option}`);
    if (!tried.passed) {
      trials.push({ option, kept: false, detail: `fails: ${tried.reason}` });
      continue;
    }
    const { faster, gainMs, noiseMs } = fasterBeyondNoise(base.ms, tried.ms);
    const medianMs = median(tried.ms);
    trials.push({
      option, kept: faster, medianMs,
      detail: faster ? `${Math.round(gainMs)} ms faster (noise ${Math.round(noiseMs)} ms)` : `${gainMs >= 0 ? `${Math.round(gainMs)} ms faster` : `${Math.round(-gainMs)} ms slower`}, within the noise (${Math.round(noiseMs)} ms)`,
    });
    if (faster) {
      cmdline = `${cmdline} ${option}`;
      added.push(option);
      base = tried;
    }
  }
  return { added, trials, runs: input.runs, fromMs, toMs: median(base.ms), cmdline };
}
