// `tinyx minimize`: parse flags (defined in src/flags/minimize.ts, read into options by src/flags/minimize-options.ts), run the pipeline (which writes the output dir) with a progress display.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { minimize } from '../run/minimize.js';
import { parseFlags } from '../flags/flag.js';
import { MINIMIZE_FLAGS, MINIMIZE_GROUPS, MINIMIZE_USAGE } from '../flags/minimize.js';
import { renderHelp } from '../flags/render.js';
import { optionsFromFlags } from '../flags/minimize-options.js';
import type { CliIo } from './io.js';
import { progressListener } from './progress.js';

/** The help, from the flag definitions (the profile names are read now). */
export const minimizeHelp = (): string => renderHelp(MINIMIZE_USAGE, MINIMIZE_FLAGS, MINIMIZE_GROUPS);

export async function minimizeCommand(argv: string[], io: CliIo): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const appArgs = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseFlags(MINIMIZE_FLAGS, own);
  if (values.help) {
    io.stdout(minimizeHelp());
    return 0;
  }
  const options = await optionsFromFlags(values, appArgs);
  const out = path.resolve(values.out ?? (options.image !== undefined ? imageOut(options.image) : await defaultOut(options.app!)));
  const progress = progressListener(io);
  try {
    const { output: { report } } = await minimize({ ...options, out, signal: io.signal, onEvent: progress.listener });
    progress.stop();
    io.stdout(`${path.join(out, 'report.md')}\n`);
    io.stdout(`bzImage ${report.start.bzImageBytes !== undefined ? `${report.start.bzImageBytes} -> ` : ''}${report.final.bzImageBytes} bytes, initramfs ${report.start.initramfsBytes === report.final.initramfsBytes ? report.start.initramfsBytes : `${report.start.initramfsBytes} -> ${report.final.initramfsBytes}`} bytes, options =y ${report.start.optionsEnabled} -> ${report.final.optionsEnabled}, ${report.builds} builds${report.oneAtATimeBuilds !== undefined ? ` (one-at-a-time: ${report.oneAtATimeBuilds})` : ''}, ${report.wallSeconds} s\n`);
    io.stdout(`Results in ${out} (boot it with ${path.join(out, 'run.sh')})\n`);
    return 0;
  } finally {
    progress.stop();
  }
}

/**
 * `out/<app name>` in the current directory; refused when that is inside a directory app (a
 * re-run would pack this run's journal and logs), with the advice to pass --out.
 */
/** out/<the image file's name without its extensions> (out/image for standard input). */
function imageOut(image: string): string {
  const name = image === '-' ? 'image' : path.basename(path.resolve(image)).replace(/\.(tar|oci|gz|zst|tgz)(\.|$).*$/, '');
  return path.resolve('out', name || 'image');
}

async function defaultOut(app: string): Promise<string> {
  const real = await realpath(app).catch(() => path.resolve(app));
  const out = path.resolve('out', path.basename(real));
  if ((await stat(real).catch(() => undefined))?.isDirectory() && out.startsWith(`${real}/`)) {
    throw new TinyxError('TINYX_OUT_INVALID', `The default output directory ${out} is inside the app directory ${real}.`, {
      advice: `Pass --out a directory outside the app, e.g. --out ${path.join(path.dirname(real), 'out', path.basename(real))}.`,
    });
  }
  return out;
}
