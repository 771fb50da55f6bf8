// One app of a fleet run: unchanged inputs get one confirming boot; changed ones a search that starts from the last result.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { interruptedError, isTinyxError, TinyxError } from '../errors.js';
import { parseDotConfig } from '../kconfig/dotconfig.js';
import type { Report } from '../output/report.js';
import { lockOut, type OutLock } from '../output/lock.js';
import type { KernelSource } from '../kconfig/source.js';
import type { EventListener } from '../search/events.js';
import { minimize } from '../run/minimize.js';
import { confirmBoot } from './confirm.js';
import { optionChanges, neededChanges, sizeChange, type KernelSymbols } from './diff.js';
import { changedInputs, fingerprint, FINGERPRINT_FILE, INPUT_NAMES, writeFingerprint, type Fingerprint } from './fingerprint.js';
import { archiveResult, pruneHistory } from './history.js';
import { lastResult, type LastResult } from './last-result.js';
import type { PlannedApp } from './load.js';
import type { AppSummary } from './summary.js';
import { readSymbols, treeSymbols } from './symbols.js';

export interface AppRun {
  /** The fleet's out dir: the app writes `<dir>/<name>/`. */
  dir: string;
  keepHistory: number;
  signal?: AbortSignal;
  /** The fleet's own lines about the app. */
  say: (message: string) => void;
  /** minimize's events, for the progress display. */
  onEvent: EventListener;
}

const NO_OPTIONS = { added: [], removed: [], appeared: [], vanished: [] };
const NO_NEEDS = { added: [], removed: [] };

/** Runs one app; a failure is its summary's status, only an interrupt (Ctrl-C, SIGTERM) is thrown. */
export async function runApp(planned: PlannedApp, run: AppRun): Promise<AppSummary> {
  const began = Date.now();
  const out = path.join(run.dir, planned.app.name);
  const known: { last?: LastResult; changed: string[] } = { changed: [] };
  try {
    return await runAppIn(planned, run, out, known, began);
  } catch (error) {
    if (isTinyxError(error, 'TINYX_INTERRUPTED') || run.signal?.aborted) throw error;
    const summary = failedSummary(planned.app.name, out, error, began, known);
    run.say(`${planned.app.name}: failed (${summary.error!.code}): ${summary.error!.message.split('\n')[0]}`);
    return summary;
  }
}

/** A failed app's summary: the error, and what is known of its last result (which stays where it was). */
export function failedSummary(name: string, out: string, error: unknown, began: number, known: { last?: LastResult; changed: string[] } = { changed: [] }): AppSummary {
  const tinyx = isTinyxError(error);
  // A bug gets its stack: it is not the app's doing.
  const message = error instanceof Error ? (tinyx ? error.message : (error.stack ?? error.message)) : String(error);
  const code = tinyx ? error.code : 'TINYX_INTERNAL';
  const last = known.last?.report;
  return {
    name, status: 'failed', detail: `Failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}${last ? ` The last result stays in ${out}.` : ''}`,
    error: { code, message, advice: (tinyx ? error.advice : undefined) ?? null }, inputsChanged: known.changed, firstRun: !last, warmStart: null,
    kernel: { version: null, previous: last?.kernelVersion ?? null, tree: null, previousTree: last?.kernelTree ?? null, changed: false },
    options: NO_OPTIONS, needed: NO_NEEDS,
    bzImage: sizeChange(undefined, last?.final.bzImageBytes), initramfs: sizeChange(undefined, last?.final.initramfsBytes),
    builds: null, wallSeconds: seconds(began), out,
  };
}

/** The app's work, holding its out dir's lock throughout: a `tinyx minimize` or `verify` there meanwhile is refused, as the fleet is while they run. */
async function runAppIn(planned: PlannedApp, run: AppRun, out: string, known: { last?: LastResult; changed: string[] }, began: number): Promise<AppSummary> {
  const lock = await lockOut(out, (message) => run.say(`${planned.app.name}: ${message}`));
  try {
    const last = known.last = await lastResult(out);
    const { print, tree } = await fingerprint(planned);
    if (last?.inOut && last.fingerprint?.key === print.key) return await confirmUnchanged(planned, run, out, last, began);
    known.changed = last?.fingerprint ? changedInputs(last.fingerprint, print) : [...INPUT_NAMES];
    return await searchAgain(planned, run, { out, lock, last, changed: known.changed, print, tree, began });
  } finally {
    await lock.release();
  }
}

/** Same inputs as the result in the out dir: one confirming boot of it, no build. */
async function confirmUnchanged(planned: PlannedApp, run: AppRun, out: string, last: LastResult, began: number): Promise<AppSummary> {
  const { app, options } = planned;
  const since = last.passedAt.toISOString();
  run.say(`${app.name}: inputs unchanged since the result of ${since}: one confirming boot, no build`);
  const boot = await confirmBoot(out, options.profile, last.report, run.signal, (message) => run.say(`${app.name}: warning: ${message}`));
  if (run.signal?.aborted) throw interruptedError();
  if (!boot.passed) {
    throw new TinyxError('TINYX_FINAL_FAILS', `The result no longer passes its tests, with inputs unchanged (${boot.detail}, ${boot.boots} boot${boot.boots === 1 ? '' : 's'}).`, {
      advice: `Console: ${boot.consoleLog}. Something outside the fingerprint changed (the host, QEMU), or the tests are flaky.`,
    });
  }
  run.say(`${app.name}: unchanged (${boot.detail})`);
  const { final, kernelVersion, kernelTree } = last.report;
  return {
    name: app.name, status: 'unchanged', detail: `Inputs unchanged since the result of ${since}; one confirming boot passed (${boot.detail}), no build.`,
    error: null, inputsChanged: [], firstRun: false, warmStart: null,
    kernel: { version: kernelVersion, previous: kernelVersion, tree: kernelTree, previousTree: kernelTree, changed: false }, options: NO_OPTIONS, needed: NO_NEEDS,
    bzImage: sizeChange(final.bzImageBytes, final.bzImageBytes), initramfs: sizeChange(final.initramfsBytes, final.initramfsBytes),
    builds: 0, wallSeconds: seconds(began), out,
  };
}

interface Search {
  out: string;
  lock: OutLock;
  last?: LastResult;
  changed: string[];
  print: Fingerprint;
  tree: KernelSource;
  began: number;
}

/**
 * Changed inputs (or none known): the last result is copied into history, the app is minimized with
 * `--from` that copy, and the new result, once written, gets the fingerprint. A failed run leaves
 * the out dir's result as it was (minimize replaces it only with a whole new one).
 */
async function searchAgain(planned: PlannedApp, run: AppRun, { out, lock, last, changed, print, tree, began }: Search): Promise<AppSummary> {
  const { app, options } = planned;
  const from = last ? (last.inOut ? await archiveResult(out, last.passedAt) : last.dir) : undefined;
  await rm(path.join(out, FINGERPRINT_FILE), { force: true });
  const why = last?.fingerprint ? `${changed.join(', ')} changed` : 'the last result has no fingerprint';
  run.say(from ? `${app.name}: ${why}: searching again, starting from ${path.relative(out, from)}` : `${app.name}: first run: a full search`);
  let report: Report;
  try {
    report = (await minimize({ ...options, out, outLock: lock, signal: run.signal, onEvent: run.onEvent, ...(from ? { from } : {}) })).output.report;
    await writeFingerprint(out, print, new Date());
  } finally {
    const pruned = await pruneHistory(out, run.keepHistory);
    if (pruned.length) run.say(`${app.name}: history pruned to the last ${run.keepHistory}: removed ${pruned.join(', ')}`);
  }
  // Recorded on every pass, so that a later kernel upgrade can tell new and gone options from added and removed ones.
  const current = await treeSymbols(tree.key, tree.dir, options.cache, (message) => run.say(`${app.name}: warning: ${message}`));
  const kernelChanged = last !== undefined && last.report.kernelTree !== report.kernelTree;
  const symbols: KernelSymbols = kernelChanged ? { before: await readSymbols(last.report.kernelTree, options.cache), now: current } : {};
  const config = parseDotConfig(await readFile(path.join(out, 'config'), 'utf8'));
  const { final } = report;
  run.say(`${app.name}: minimized: ${report.builds} builds, bzImage ${final.bzImageBytes} bytes, ${final.optionsEnabled} options =y`);
  return {
    name: app.name, status: 'minimized',
    detail: from ? `Searched again (${why}), starting from the last result (${path.relative(out, from)}).` : 'First run: a full search (no earlier result to start from).',
    error: null, inputsChanged: changed, firstRun: !last, warmStart: from ?? null,
    kernel: { version: report.kernelVersion, previous: last?.report.kernelVersion ?? null, tree: report.kernelTree, previousTree: last?.report.kernelTree ?? null, changed: kernelChanged },
    options: last ? optionChanges(last.config, config, symbols) : NO_OPTIONS,
    needed: last ? neededChanges(last.report, report) : NO_NEEDS,
    bzImage: sizeChange(final.bzImageBytes, last?.report.final.bzImageBytes), initramfs: sizeChange(final.initramfsBytes, last?.report.final.initramfsBytes),
    builds: report.builds, wallSeconds: seconds(began), out,
  };
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
