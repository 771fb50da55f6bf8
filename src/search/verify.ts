// Re-checks a finished result: it boots and passes, and each kept candidate is needed (1-minimal).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDotConfig } from '../kconfig/dotconfig.js';
import { withValues } from '../kconfig/kernel.js';
import { loadProfile } from '../profile/load.js';
import { readReport } from '../output/read.js';
import { sha256File } from '../util/hash.js';
import type { EventListener } from './events.js';
import { readRunRecord } from './run-record.js';
import { openRunContext } from './context.js';
import type { AccelChoice } from '../tester/accel.js';

export interface VerifyRow {
  option: string;
  /** needed: removing it fails; no-op: the kernel puts it back; NOT NEEDED: removing it passes. */
  outcome: 'needed' | 'no-op' | 'not-needed';
  detail: string;
  fromJournal: boolean;
}

export interface VerifyResult {
  boots: boolean;
  bootDetail: string;
  rows: VerifyRow[];
  ok: boolean;
}

export async function verify(out: string, options: { fresh?: boolean; jobs?: number; accel?: AccelChoice; signal?: AbortSignal; emit?: EventListener } = {}): Promise<VerifyResult> {
  const run = await readRunRecord(out);
  const report = await readReport(out);
  const profile = await loadProfile(run.profile);
  const initramfs = path.join(out, 'initramfs.cpio.gz');
  const emit = options.emit ?? (() => undefined);
  const context = await openRunContext({
    out, tests: run.tests, port: run.port, profile, kernelSrc: run.kernelSrc, jobs: options.jobs, accel: options.accel ?? run.accel,
    initramfs: { file: initramfs, sha256: await sha256File(initramfs) }, confirmFailures: run.confirmFailures, signal: options.signal, emit,
  });
  try {
    const { evaluator } = context;
    const cmdline = (await readFile(path.join(out, 'cmdline'), 'utf8')).trim();
    const final = await evaluator.normalize(parseDotConfig(await readFile(path.join(out, 'config'), 'utf8')));
    const boot = await evaluator.rerun(final, cmdline, 'result');
    const rows = await Promise.all(report.kept.map(async (option): Promise<VerifyRow> => {
      const cut = await evaluator.normalize(withValues(final.config, [option], 'n'));
      if (cut.hash === final.hash) return { option, outcome: 'no-op', detail: 'olddefconfig turns it back on', fromJournal: false };
      const fromJournal = !options.fresh && context.journal.get(evaluator.keyOf(cut, cmdline)) !== undefined;
      const verdict = options.fresh ? await evaluator.rerun(cut, cmdline, `-${option}`) : await evaluator.evaluate(cut, cmdline, `-${option}`);
      return {
        option, outcome: verdict.status === 'pass' ? 'not-needed' : 'needed', detail: `${verdict.status}: ${verdict.reason}`, fromJournal,
      };
    }));
    const boots = boot.status === 'pass';
    return { boots, bootDetail: `${boot.status}: ${boot.reason}`, rows, ok: boots && rows.every((r) => r.outcome !== 'not-needed') };
  } finally {
    await context.close();
  }
}
