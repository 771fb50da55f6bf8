// Writes the output directory from an output record: kernel, initramfs, configs, cmdline, launch files, reports, run.json.
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { COMPRESSIONS, initramfsFileName } from '../packager/compress.js';
import { execa } from 'execa';
import { launchTargets } from '../vm/targets.js';
import type { OutputRecord } from './record.js';
import { renderMarkdown, SVG_FILE, type Report } from './report.js';
import { renderSvg } from './svg.js';
import { replaceResult, settleResult } from './swap.js';

/** What every out dir holds besides its initramfs, whose name follows its compression (initramfsFileName), the launch files of its vm.targets besides run.sh, and a vmlinux when the PVH stage ships one. */
export const OUTPUT_FILES = ['bzImage', 'config', 'defconfig', 'cmdline', 'run.sh', 'report.json', 'report.md', SVG_FILE, 'run.json'] as const;

/** Every name a result file can have (an older tinyx wrote them as plain files; see settleResult). */
const RESULT_NAMES = [...OUTPUT_FILES, 'vmlinux', ...COMPRESSIONS.map(initramfsFileName)];

/**
 * Plain file writing: everything was computed by the run (see src/run/output-record.ts). The
 * out dir's result is replaced as a whole (src/output/swap.ts): a reader never finds some files of
 * the previous result beside some of this one, nor a file of the previous result this one lacks.
 * One writer at a time: minimize writes under the out dir's lock (src/output/lock.ts).
 */
export async function writeOutput(record: OutputRecord, out: string): Promise<Report> {
  await replaceResult(out, RESULT_NAMES, async (dir) => {
    await copyFile(record.bzImage, path.join(dir, 'bzImage'));
    if (record.vmlinux) await copyFile(record.vmlinux, path.join(dir, 'vmlinux'));
    await copyFile(record.initramfs, path.join(dir, record.launch.initramfs));
    // Sparse, as the images are: a 1 GiB volume holding a few files stays a few MiB on disk.
    for (const [i, v] of (record.volumes ?? []).entries()) {
      await execa('cp', ['--sparse=always', v.seed, path.join(dir, record.launch.volumes![i]!)]);
      await execa('cp', ['--sparse=always', v.tested, path.join(dir, v.testedName)]);
    }
    await writeFile(path.join(dir, 'config'), record.config);
    await writeFile(path.join(dir, 'defconfig'), record.defconfig);
    await writeFile(path.join(dir, 'cmdline'), `${record.cmdline}\n`);
    for (const target of launchTargets(record.launch.targets)) {
      const file = target.launchFile(record.launch, record.cmdline);
      await writeFile(path.join(dir, file.name), file.text);
      if (file.executable) await chmod(path.join(dir, file.name), 0o755);
    }
    await writeFile(path.join(dir, 'report.json'), JSON.stringify(record.report, null, 2) + '\n');
    await writeFile(path.join(dir, SVG_FILE), renderSvg(record.report));
    await writeFile(path.join(dir, 'report.md'), renderMarkdown(record.report));
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(record.run, null, 2) + '\n');
  });
  return record.report;
}

/** Removes what a writer killed mid-way left in `out` (the result stays as readers find it). */
export function settleOutput(out: string): Promise<void> {
  return settleResult(out, RESULT_NAMES);
}
