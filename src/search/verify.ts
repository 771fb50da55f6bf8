// Re-checks a finished result: it boots and passes, and each kept candidate is needed (1-minimal).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDotConfig } from '../kconfig/dotconfig.js';
import { withValues } from '../kconfig/kernel.js';
import { loadProfile } from '../profile/load.js';
import type { Report } from '../packager/report.js';
import { sha256File } from '../util/hash.js';
import type { EventListener } from './events.js';
import { readRunSpec } from './runspec.js';
import { openSession } from './session.js';
import type { AccelChoice } from '../tester/accel.js';
import { TinyxError } from '../errors.js';

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
  const spec = await readRunSpec(out);
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8').catch(() => '{}')) as Partial<Report>;
  if (!report.kept) throw new TinyxError('TINYX_OUT_INVALID', `${out} has no report.json from a finished run.`, { advice: 'Run `tinyx minimize` to completion first.' });
  const profile = await loadProfile(spec.profile);
  const initramfs = path.join(out, 'initramfs.cpio.gz');
  const emit = options.emit ?? (() => undefined);
  const session = await openSession({
    out, tests: spec.tests, port: spec.port, profile, kernelSrc: spec.kernelSrc, jobs: options.jobs, accel: options.accel ?? spec.accel,
    initramfs: { file: initramfs, sha256: await sha256File(initramfs) }, confirmFailures: spec.confirmFailures, signal: options.signal, emit,
  });
  try {
    const { evaluator } = session;
    const cmdline = (await readFile(path.join(out, 'cmdline'), 'utf8')).trim();
    const final = await evaluator.normalize(parseDotConfig(await readFile(path.join(out, 'config'), 'utf8')));
    const boot = await evaluator.rerun(final, cmdline, 'result');
    const rows = await Promise.all(report.kept.map(async (option): Promise<VerifyRow> => {
      const cut = await evaluator.normalize(withValues(final.config, [option], 'n'));
      if (cut.hash === final.hash) return { option, outcome: 'no-op', detail: 'olddefconfig turns it back on', fromJournal: false };
      const fromJournal = !options.fresh && session.journal.get(evaluator.keyOf(cut, cmdline)) !== undefined;
      const verdict = options.fresh ? await evaluator.rerun(cut, cmdline, `-${option}`) : await evaluator.evaluate(cut, cmdline, `-${option}`);
      return {
        option, outcome: verdict.status === 'pass' ? 'not-needed' : 'needed', detail: `${verdict.status}: ${verdict.reason}`, fromJournal,
      };
    }));
    const boots = boot.status === 'pass';
    return { boots, bootDetail: `${boot.status}: ${boot.reason}`, rows, ok: boots && rows.every((r) => r.outcome !== 'not-needed') };
  } finally {
    await session.close();
  }
}
