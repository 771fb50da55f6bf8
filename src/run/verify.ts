// Re-checks a finished result: it boots and passes, and each candidate of the final config is needed (1-minimal).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { enabledSymbols, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../kconfig/engine.js';
import { withValues } from '../kconfig/kernel.js';
import { loadProfile } from '../profile/load.js';
import { lockOut } from '../output/lock.js';
import { readReport } from '../output/read.js';
import { shippedKernel, type Report } from '../output/report.js';
import type { Profile } from '../profile/types.js';
import { sha256File } from '../util/hash.js';
import type { EventListener } from '../search/events.js';
import { DISK_ROOT_FILE } from '../search/compression.js';
import { readRunJson, recordedCompression, requestFromRecord, type RunJson } from '../plan/record.js';
import { hostFacts } from '../plan/host.js';
import { keepingOptions, makePlan, type RunPlan } from '../plan/plan.js';
import { initramfsFileName } from '../packager/compress.js';
import { planCandidates } from '../search/candidates.js';
import { openSearchContext, type SearchContext } from '../search/context.js';
import { growth, stillEnabled } from '../search/fixpoint.js';
import type { Normalized } from '../search/evaluator.js';
import { compareWeight, nextLower, spell, weigh } from '../search/values.js';
import type { Verdict } from '../tester/verdict.js';
import type { AccelChoice } from '../profile/types.js';

export interface VerifyRow {
  option: string;
  /**
   * needed: removing it fails; no-op: the kernel puts it back; grows: removing it turns on more
   * options than it turns off (no reduction, not tried); NOT NEEDED: removing it passes.
   */
  outcome: 'needed' | 'no-op' | 'grows' | 'not-needed';
  detail: string;
  fromJournal: boolean;
}

/** A searched value (--values) tried one step lower: it must fail, or pass no lighter. */
export interface ValueRow {
  option: string;
  value: string;
  tried: string;
  /** holds: the lower value fails or weighs no less; LIGHTER: it passes lighter (the value search missed it). */
  outcome: 'holds' | 'lighter';
  detail: string;
  fromJournal: boolean;
}

export interface VerifyResult {
  boots: boolean;
  bootDetail: string;
  rows: VerifyRow[];
  /** With a run that searched values: each searched option one step lower. */
  values: ValueRow[];
  ok: boolean;
  /**
   * What the rows cover: `candidates`, the final config's own candidates, planned afresh as the
   * search plans them (same profile, port and bounded list); `kept`, report.json's kept options,
   * when the Kconfig engine could not be loaded (`fallback` says why).
   */
  checked: 'candidates' | 'kept';
  fallback?: string;
}

/** What a finished out dir says about its run: run.json, report.json and the profile it ran with. */
export interface FinishedRun {
  run: RunJson;
  report: Report;
  profile: Profile;
  /** The run planned again from run.json. */
  plan: RunPlan;
}

export async function readFinished(out: string): Promise<FinishedRun> {
  const run = await readRunJson(out);
  const report = await readReport(out);
  const profile = await loadProfile(run.profile);
  return { run, report, profile, plan: makePlan(requestFromRecord(run, profile), hostFacts()) };
}

export interface VerifyOptions {
  /** Re-run every removal instead of taking journaled verdicts. */
  fresh?: boolean;
  jobs?: number;
  accel?: AccelChoice;
  signal?: AbortSignal;
  emit?: EventListener;
}

/**
 * Opens the out dir's run context and runs the checks, holding the out dir's lock: no run replaces
 * the result meanwhile. A dir without a finished run is refused before anything is written in it.
 */
export async function verify(out: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  await readFinished(out);
  const emit = options.emit ?? (() => undefined);
  const lock = await lockOut(out, (message) => emit({ type: 'info', message }));
  try {
    const finished = await readFinished(out);
    const context = await verifyContext(out, finished, { ...options, emit });
    const recorded = finished.run.kernel?.tree ?? finished.report.kernelTree;
    if (recorded && recorded !== context.source.key) {
      emit({ type: 'warning', message: `the kernel tree changed since the run (${recorded} -> ${context.source.key}): every check builds afresh on the tree found now` });
    }
    try {
      return await verifyIn(out, finished, context, options);
    } finally {
      await context.close();
    }
  } finally {
    await lock.release();
  }
}

/**
 * The out dir's run context (its journal, slots and QEMU) as the run had it: its tests, port, kernel
 * and timeouts, which its verdicts' journal keys hold, so they replay.
 */
export async function verifyContext(out: string, { run, profile, report }: FinishedRun, options: VerifyOptions = {}): Promise<SearchContext> {
  const disk = report.initramfs?.disk === true;
  const initramfs = path.join(out, disk ? DISK_ROOT_FILE : initramfsFileName(recordedCompression(run)));
  const plan = makePlan({ ...requestFromRecord(run, profile), jobs: options.jobs, accel: options.accel ?? run.accel }, hostFacts());
  // The volumes as the run seeded them: the out dir's images (run.sh writes to them, and a changed one gets fresh verdicts).
  const volumes = await Promise.all((report.volumes ?? []).map(async (v) => ({ image: path.join(out, v.file), sha256: await sha256File(path.join(out, v.file)) })));
  return openSearchContext({
    plan, out, initramfs: { file: initramfs, sha256: await sha256File(initramfs), ...(disk ? { disk: true as const } : {}) }, volumes, signal: options.signal, emit: options.emit ?? (() => undefined),
  });
}

/**
 * The checks, in an open run context: the result boots and passes, and every candidate of the
 * final config fails when removed alone, is a no-op (the kernel's olddefconfig undoes it) or
 * grows the config (turns on more options than it turns off).
 */
export async function verifyIn(
  out: string,
  { run, report, plan }: FinishedRun,
  context: Pick<SearchContext, 'evaluator' | 'journal' | 'source'> & Partial<Pick<SearchContext, 'workspace'>>,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const emit = options.emit ?? (() => undefined);
  const { evaluator } = context;
  const cmdline = (await readFile(path.join(out, 'cmdline'), 'utf8')).trim();
  const final = await evaluator.normalize(parseDotConfig(await readFile(path.join(out, 'config'), 'utf8')));
  const model = await loadKconfig(context.source.dir, { arch: 'x86' }).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
  const fallback = model instanceof Error
    ? `the Kconfig engine is unavailable (${model.message.split('\n')[0]}), so report.json's kept options are checked instead of the final config's candidates`
    : undefined;
  if (fallback) emit({ type: 'warning', message: fallback });
  const names = model instanceof Error
    ? report.kept
    : planCandidates(final.config, keptByCalls(plan, report).kernel.profile, model, {
        network: plan.search.network, compression: recordedCompression(run), only: stillEnabled(final.config, run.candidates),
        disks: { rootDisk: report.initramfs?.disk === true, volumes: (report.volumes?.length ?? 0) > 0 },
      }).candidates.map((c) => c.name);
  // The result boots as its launch files boot it (the vmlinux by its PVH entry when the run shipped one); the cuts as the search booted them.
  const boot = await evaluator.rerun(final, cmdline, 'result', shippedKernel(report) === 'vmlinux' ? { kernel: 'vmlinux' } : undefined);
  const rows = await Promise.all(names.map(async (option): Promise<VerifyRow> => {
    const cut = await evaluator.normalize(withValues(final.config, [option], 'n'));
    if (cut.hash === final.hash) return { option, outcome: 'no-op', detail: 'olddefconfig turns it back on', fromJournal: false };
    const grows = growth(cut, final);
    if (grows) return { option, outcome: 'grows', detail: grows, fromJournal: false };
    const fromJournal = !options.fresh && context.journal.get(evaluator.keyOf(cut, cmdline)) !== undefined;
    const verdict = options.fresh ? await evaluator.rerun(cut, cmdline, `-${option}`) : await evaluator.evaluate(cut, cmdline, `-${option}`);
    return {
      option, outcome: verdict.status === 'pass' ? 'not-needed' : 'needed', detail: `${verdict.status}: ${verdict.reason}`, fromJournal,
    };
  }));
  const values = run.values && !(model instanceof Error) ? await valueRows(model, final, cmdline, boot, report, context, options) : [];
  const boots = boot.status === 'pass';
  return {
    boots, bootDetail: `${boot.status}: ${boot.reason}`, rows, values, ok: boots && rows.every((r) => r.outcome !== 'not-needed') && values.every((r) => r.outcome === 'holds'),
    checked: fallback ? 'kept' : 'candidates', ...(fallback ? { fallback } : {}),
  };
}

/** The plan with what a --keep-reachable run kept for the app's calls (report.json's `calls.kept`): the search never tried them, so verify does not either. */
function keptByCalls(plan: RunPlan, report: Report): RunPlan {
  return report.calls?.kept ? keepingOptions(plan, report.calls.kept) : plan;
}

/**
 * Each option the value search looked at (report.json's `values`), one step below its final value
 * (the range's low end, or half), and each choice it looked at switched to each other member: it
 * must fail, or pass no lighter than the result.
 */
async function valueRows(
  model: KconfigModel,
  final: Normalized,
  cmdline: string,
  boot: Verdict,
  report: Report,
  context: Pick<SearchContext, 'evaluator' | 'journal'> & Partial<Pick<SearchContext, 'workspace'>>,
  options: VerifyOptions,
): Promise<ValueRow[]> {
  const { evaluator, workspace } = context;
  const bzImage = (hash: string) => (workspace ? path.join(workspace.artifactDir(hash), 'bzImage') : '');
  const searched = report.values ? new Set([...report.values.lowered.map((l) => l.option), ...report.values.kept.map((k) => k.option)]) : undefined;
  const base = await weigh(boot, bzImage(final.hash));
  /** `settings` over the final config, built and tested, weighed against the result; `kept` names the setting olddefconfig must keep. */
  const check = async (row: Pick<ValueRow, 'option' | 'value' | 'tried'>, settings: [string, string][], kept: [string, string], label: string): Promise<ValueRow> => {
    const cut = await evaluator.normalize(new Map([...final.config, ...settings]));
    if (cut.config.get(kept[0]) !== kept[1]) return { ...row, outcome: 'holds', detail: `olddefconfig sets ${cut.config.get(kept[0]) ?? 'n'}`, fromJournal: false };
    const fromJournal = !options.fresh && context.journal.get(evaluator.keyOf(cut, cmdline)) !== undefined;
    const verdict = options.fresh ? await evaluator.rerun(cut, cmdline, label) : await evaluator.evaluate(cut, cmdline, label);
    if (verdict.status !== 'pass') return { ...row, outcome: 'holds', detail: `${verdict.status}: ${verdict.reason}`, fromJournal };
    const { lighter, detail } = compareWeight(await weigh(verdict, bzImage(cut.hash)), base);
    return { ...row, outcome: lighter ? 'lighter' : 'holds', detail: `passes, ${detail}`, fromJournal };
  };
  const rows = model.numbers(final.config).filter((o) => !searched || searched.has(o.name)).map(async (option) => {
    const lower = nextLower(option);
    if (lower === undefined) return undefined;
    const tried = spell(option, lower);
    return check({ option: option.name, value: spell(option, option.value), tried }, [[option.name, tried]], [option.name, tried], `${option.name}=${tried}`);
  });
  // Each searched choice switched to each other member that does not turn on more options than it turns off.
  const enabled = (config: DotConfig) => enabledSymbols(model.resolve(config)).length;
  const switches = model.choices(final.config).filter((c) => searched?.has(c.prompt)).flatMap((choice) => choice.members.filter((m) => m !== choice.pick).map(async (member) => {
    const settings: [string, string][] = [[choice.pick, 'n'], [member, 'y']];
    if (enabled(new Map([...final.config, ...settings])) > enabled(final.config)) return undefined;
    return check({ option: choice.prompt, value: choice.pick, tried: member }, settings, [member, 'y'], `${choice.prompt}: ${member}`);
  }));
  return (await Promise.all([...rows, ...switches])).filter((r): r is ValueRow => r !== undefined);
}
