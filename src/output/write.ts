// Writes the output directory from an output record: kernel, initramfs, configs, cmdline, run script, reports.
import { copyFile, chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import type { OutputRecord } from './record.js';
import { renderMarkdown, type Report } from './report.js';
import { runScript } from './run-script.js';
import { renderSvg, SVG_FILE } from './svg.js';

/** What every out dir holds besides its initramfs, whose name follows its compression (initramfsFileName). */
export const OUTPUT_FILES = ['bzImage', 'config', 'defconfig', 'cmdline', 'run.sh', 'report.json', 'report.md', SVG_FILE] as const;

/** Plain file writing: everything was computed by the run (see src/search/output-record.ts). */
export async function writeOutput(record: OutputRecord, out: string): Promise<Report> {
  await mkdir(out, { recursive: true });
  await copyFile(record.bzImage, path.join(out, 'bzImage'));
  await copyFile(record.initramfs, path.join(out, record.launch.initramfs));
  await writeFileAtomic(path.join(out, 'config'), record.config);
  await writeFileAtomic(path.join(out, 'defconfig'), record.defconfig);
  await writeFileAtomic(path.join(out, 'cmdline'), `${record.cmdline}\n`);
  await writeFileAtomic(path.join(out, 'run.sh'), runScript(record.launch));
  await chmod(path.join(out, 'run.sh'), 0o755);
  await writeFileAtomic(path.join(out, 'report.json'), JSON.stringify(record.report, null, 2) + '\n');
  await writeFileAtomic(path.join(out, SVG_FILE), renderSvg(record.report));
  await writeFileAtomic(path.join(out, 'report.md'), renderMarkdown(record.report));
  return record.report;
}
