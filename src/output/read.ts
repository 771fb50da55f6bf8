// Reads an out dir's report.json back (for `tinyx verify`, and any command that collects results).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import type { Report } from './report.js';

/** The report of a finished run; refused when `out` has none. */
export async function readReport(out: string): Promise<Report> {
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8').catch(() => '{}')) as Partial<Report>;
  if (!report.kept) throw new TinyxError('TINYX_OUT_INVALID', `${out} has no report.json from a finished run.`, { advice: 'Run `tinyx minimize` to completion first.' });
  return report as Report;
}
