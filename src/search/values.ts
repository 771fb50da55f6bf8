// The value search: after the removals, each int and hex option the Kconfig model lets the user set
// is lowered to the least value that still passes and makes the kernel lighter (fewer bytes, a
// smaller image in RAM, or a boot window that ends lower), and each choice is switched to its lightest member that
// passes lighter; each value proven by a build and the tests like any removal.
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChoiceOption, NumberOption } from '../kconfig/engine.js';

/** What a built kernel weighs: its bzImage's bytes, its image in RAM, and where its boot window ends. */
export interface Weight {
  bzImageBytes?: number;
  /** `_text` to `_end` from the build's System.map: the code, data and bss the kernel keeps in RAM for its life. */
  imageBytes?: number;
  /**
   * pref_address + init_size from the bzImage's setup header: the RAM the kernel owns while it
   * decompresses and starts (its load address, code, data and bss), below which the guest needs
   * memory however little it uses.
   */
  bootWindowEnd?: number;
}

/** Differences at or below these are noise (a constant changed inside compressed code; the window is page-granular). */
export const WEIGHT_NOISE = { bzImageBytes: 16, imageBytes: 4096, bootWindowEnd: 4096 } as const;

const MEASURES = [
  { key: 'bzImageBytes', label: 'bzImage', unit: 'B' },
  { key: 'imageBytes', label: 'image in RAM', unit: 'KiB' },
  { key: 'bootWindowEnd', label: 'boot window', unit: 'KiB' },
] as const;

/** How `next` compares with `base`: lighter (no measure worse beyond noise, one better), or not, and why. */
export function compareWeight(next: Weight, base: Weight): { lighter: boolean; detail: string } {
  const parts: string[] = [];
  let better = false;
  let worse = false;
  for (const { key, label, unit } of MEASURES) {
    const a = base[key];
    const b = next[key];
    if (a === undefined || b === undefined) continue;
    const delta = b - a;
    if (delta < -WEIGHT_NOISE[key]) better = true;
    if (delta > WEIGHT_NOISE[key]) worse = true;
    if (delta !== 0) parts.push(`${label} ${delta > 0 ? '+' : ''}${unit === 'B' ? `${delta} B` : `${Math.round(delta / 1024)} KiB`}`);
  }
  const detail = parts.length ? parts.join(', ') : 'the same size';
  return { lighter: better && !worse, detail };
}

/** One value tried: the option, the value, how the build and tests ended, and what it weighed. */
export interface ValueTrial {
  option: string;
  value: string;
  passed: boolean;
  reason: string;
  weight?: Weight;
  /** Against the value in force when it was tried (passing trials only). */
  lighter?: boolean;
  detail?: string;
}

/** An option the search lowered: from what, to what, and what that saved. */
export interface LoweredValue {
  option: string;
  from: string;
  to: string;
  detail: string;
}

export interface ValueSearchResult {
  lowered: LoweredValue[];
  /** Options tried and left as they were (their lower values failed, or weighed no less). */
  kept: { option: string; value: string; why: string }[];
  trials: ValueTrial[];
  /** The weight of the config the search ended on. */
  weight: Weight;
  /** The .config values the search set, over the config it started from. */
  settings: Record<string, string>;
}

/** Builds and tests the accepted settings plus `option=value`; settings stay strings as .config spells them. */
export type TryValue = (settings: ReadonlyMap<string, string>, label: string) => Promise<{ passed: boolean; reason: string; weight: Weight }>;

/** A number as .config spells it for the option's type. */
export function spell(option: Pick<NumberOption, 'type'>, value: bigint): string {
  return option.type === 'hex' ? `0x${value.toString(16)}` : value.toString();
}

/**
 * Pure: the values an option is tried at, in order. With a range: its low end first (one build
 * settles most options), then, when that fails, the search bisects between the low end and the
 * value it has (`bisect`). Without one: halvings, each tried only after the one above it passed
 * lighter (`descend`): the tree gives no low end, and an address or a table order lowers by powers
 * of two.
 */
export function plan(option: NumberOption): { kind: 'range'; low: bigint } | { kind: 'halve' } | undefined {
  if (option.low !== undefined) return option.value > option.low ? { kind: 'range', low: option.low } : undefined;
  return option.value > 1n ? { kind: 'halve' } : undefined;
}

/** The next value the verify step tries below `value`: the range's low end, or the halving. */
export function nextLower(option: NumberOption): bigint | undefined {
  const p = plan(option);
  if (!p) return undefined;
  return p.kind === 'range' ? p.low : option.value / 2n;
}

/** What one option's or choice's tries found: the value to keep and its trial, or why none. */
type Found<T> = { best: { value: T; trial: ValueTrial }; why?: undefined } | { best?: undefined; why: string };

/** Tries `value` of one option or choice with `next` (the settings so far plus it), weighed against `against`; `label` names the evaluation. */
type Attempt = (trial: { option: string; value: string; label: string; next: Map<string, string> }, against: Weight) => Promise<ValueTrial>;

/**
 * Lowers each option in turn (the model's menu order), then switches each choice, keeping every
 * value that passed lighter than what was in force. Trials go through `tryValue`, which journals
 * like any evaluation: a run that resumes replays them.
 */
export async function searchValues(input: {
  options: NumberOption[];
  /** Choices to switch, after the numbers: each other member tried, the lightest that passes lighter kept. */
  choices?: ChoiceOption[];
  /** How many options =y the config has with these settings (the model's preview): a member that turns on more than it turns off is not tried. */
  enabled?: (settings: ReadonlyMap<string, string>) => number;
  /** The weight of the config the search starts from (it passed). */
  start: Weight;
  tryValue: TryValue;
  signal?: AbortSignal;
}): Promise<ValueSearchResult> {
  const settings = new Map<string, string>();
  const trials: ValueTrial[] = [];
  const lowered: LoweredValue[] = [];
  const kept: ValueSearchResult['kept'] = [];
  let weight = input.start;
  const attempt: Attempt = async ({ option, value, label, next }, against) => {
    input.signal?.throwIfAborted();
    const outcome = await input.tryValue(next, label);
    const trial: ValueTrial = { option, value, passed: outcome.passed, reason: outcome.reason, weight: outcome.weight };
    if (outcome.passed) Object.assign(trial, compareWeight(outcome.weight, against));
    trials.push(trial);
    return trial;
  };
  const keep = (option: string, from: string, found: Found<unknown>, set: [string, string][]) => {
    if (!found.best) {
      kept.push({ option, value: from, why: found.why });
      return;
    }
    for (const [name, value] of set) settings.set(name, value);
    lowered.push({ option, from, to: found.best.trial.value, detail: compareWeight(found.best.trial.weight!, weight).detail });
    weight = found.best.trial.weight!;
  };
  for (const option of input.options) {
    const found = await lowerNumber(option, settings, weight, attempt);
    if (found) keep(option.name, spell(option, option.value), found, found.best ? [[option.name, found.best.trial.value]] : []);
  }
  for (const choice of input.choices ?? []) {
    const found = await switchChoice(choice, settings, weight, attempt, input.enabled);
    keep(choice.prompt, choice.pick, found, found.best ? [[choice.pick, 'n'], [found.best.value, 'y']] : []);
  }
  return { lowered, kept, trials, weight, settings: Object.fromEntries(settings) };
}

/** One number option: its least value that passes lighter (undefined: nothing to try). */
async function lowerNumber(option: NumberOption, settings: ReadonlyMap<string, string>, weight: Weight, attempt: Attempt): Promise<Found<bigint> | undefined> {
  const how = plan(option);
  if (!how) return undefined;
  const from = spell(option, option.value);
  const at = (value: bigint, against: Weight) => {
    const spelled = spell(option, value);
    return attempt({ option: option.name, value: spelled, label: `${option.name}=${spelled}`, next: new Map(settings).set(option.name, spelled) }, against);
  };
  if (how.kind === 'range') {
    const floor = await at(how.low, weight);
    if (floor.passed && floor.lighter) return { best: { value: how.low, trial: floor } };
    if (floor.passed) return { why: `${floor.value} passes and weighs no less (${floor.detail})` };
    // The low end fails: the least passing value between it and the one in force (failing is taken as monotone, as for memory).
    let fails = how.low;
    let passes = option.value;
    let passing: ValueTrial | undefined;
    while (passes - fails > 1n) {
      const mid = (fails + passes) / 2n;
      const trial = await at(mid, weight);
      if (trial.passed) {
        passes = mid;
        passing = trial;
      } else fails = mid;
    }
    if (passing?.lighter) return { best: { value: passes, trial: passing } };
    return { why: passing ? `${passing.value} is the least that passes and weighs no less (${passing.detail})` : `${floor.value} and every value below ${from} fail (${floor.reason})` };
  }
  // Halvings while each passes lighter than the one above it.
  let best: { value: bigint; trial: ValueTrial } | undefined;
  let against = weight;
  for (let value = option.value / 2n; value >= 1n; value /= 2n) {
    const trial = await at(value, against);
    if (!trial.passed || !trial.lighter) {
      if (best) return { best };
      return { why: trial.passed ? `${trial.value} passes and weighs no less (${trial.detail})` : `${trial.value} fails (${trial.reason})` };
    }
    best = { value, trial };
    against = trial.weight!;
  }
  return best ? { best } : { why: 'no lower value' };
}

/** One choice: its lightest other member that passes lighter than its pick. */
async function switchChoice(choice: ChoiceOption, settings: ReadonlyMap<string, string>, weight: Weight, attempt: Attempt, enabled?: (settings: ReadonlyMap<string, string>) => number): Promise<Found<string>> {
  let best: { value: string; trial: ValueTrial } | undefined;
  const notes: string[] = [];
  for (const member of choice.members.filter((m) => m !== choice.pick)) {
    const next = new Map(settings).set(choice.pick, 'n').set(member, 'y');
    const more = enabled ? enabled(next) - enabled(settings) : 0;
    if (more > 0) {
      notes.push(`${member} turns on ${more} more option${more === 1 ? '' : 's'}`);
      continue;
    }
    const trial = await attempt({ option: choice.prompt, value: member, label: `${choice.prompt}: ${member}`, next }, weight);
    if (!trial.passed) notes.push(`${member} fails (${trial.reason})`);
    else if (!trial.lighter) notes.push(`${member} weighs no less (${trial.detail})`);
    // The lightest of the members that pass lighter: a later one replaces the best only when lighter than it.
    else if (!best || compareWeight(trial.weight!, best.trial.weight!).lighter) best = { value: member, trial };
  }
  return best ? { best } : { why: notes.join('; ') || 'no other member' };
}

/**
 * Where a bzImage's boot window ends: pref_address + init_size of its setup header (x86 boot
 * protocol 2.10+, Documentation/arch/x86/boot.rst). Undefined when the file is not here (a kernel
 * built on a worker) or is no such bzImage.
 */
export async function bootWindowEnd(bzImage: string): Promise<number | undefined> {
  const file = await open(bzImage).catch(() => undefined);
  if (!file) return undefined;
  try {
    const buf = Buffer.alloc(0x268);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    if (bytesRead < buf.length || buf.toString('latin1', 0x202, 0x206) !== 'HdrS' || buf.readUInt16LE(0x206) < 0x20a) return undefined;
    return Number(buf.readBigUInt64LE(0x258)) + buf.readUInt32LE(0x260);
  } finally {
    await file.close();
  }
}

/**
 * `_end - _text` from a System.map: the kernel's image in RAM. Undefined when the map is not here
 * (a kernel stored before tinyx kept it, or built on a worker) or names neither symbol.
 */
export async function imageBytes(systemMap: string): Promise<number | undefined> {
  const text = await readFile(systemMap, 'latin1').catch(() => undefined);
  if (text === undefined) return undefined;
  const at = (name: string) => {
    const m = new RegExp(`^([0-9a-f]+) \\w ${name}$`, 'm').exec(text);
    return m ? BigInt(`0x${m[1]}`) : undefined;
  };
  const [start, end] = [at('_text'), at('_end')];
  return start !== undefined && end !== undefined && end > start ? Number(end - start) : undefined;
}

/** A built kernel's weight: the bytes its verdict recorded, and what its stored bzImage and System.map (beside it, when here) say. */
export async function weigh(verdict: { bzImageBytes?: number }, bzImage: string): Promise<Weight> {
  const end = await bootWindowEnd(bzImage);
  const image = await imageBytes(path.join(path.dirname(bzImage), 'System.map'));
  return {
    ...(verdict.bzImageBytes !== undefined ? { bzImageBytes: verdict.bzImageBytes } : {}),
    ...(image !== undefined ? { imageBytes: image } : {}),
    ...(end !== undefined ? { bootWindowEnd: end } : {}),
  };
}
