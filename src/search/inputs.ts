// Checks a minimize run's inputs up front, so a bad path fails in a second, not after a build.
import path from 'node:path';
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { TinyxError } from '../errors.js';
import { pickEntry } from '../deps/dirapp.js';
import { exists, isExecutableFile } from '../util/fsx.js';
import { findQemu } from '../vm/qemu.js';

/** The app, and for a directory app the program in it to run (--entry, or the one dirapp picks). */
export async function checkApp(app: string, entry?: string): Promise<{ file: string; entry?: string }> {
  const file = path.resolve(app);
  if (!(await exists(file))) {
    throw new TinyxError('TINYX_APP_NOT_FOUND', `App not found: ${file}.`, { advice: 'Pass --app with the path of the program to run in the VM.' });
  }
  if ((await stat(file)).isDirectory()) return { file, entry: await checkEntry(file, entry) };
  if (entry !== undefined) {
    throw new TinyxError('TINYX_USAGE', `--entry is for a directory app, and --app ${file} is a file.`, { advice: 'Drop --entry, or pass the directory as --app.' });
  }
  if (!(await isExecutableFile(file))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App is not an executable file: ${file}.`, { advice: `chmod +x ${file}, or pass the program itself.` });
  }
  return { file };
}

async function checkEntry(dir: string, entry: string | undefined): Promise<string> {
  const real = await realpath(dir);
  const chosen = entry ?? (await pickEntry(real));
  const host = path.resolve(real, chosen);
  if (!host.startsWith(`${real}/`)) {
    throw new TinyxError('TINYX_USAGE', `--entry ${chosen} is outside the app directory ${dir}.`, { advice: 'Pass the program to run as a path relative to the directory, e.g. bin/server.' });
  }
  if (!(await isExecutableFile(host))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `The entry ${chosen} of the app directory ${dir} is not an executable file.`, {
      advice: `chmod +x ${host}, or pass the program to run with --entry (relative to the directory).`,
    });
  }
  return chosen;
}

export async function checkTests(tests: string): Promise<string> {
  const file = path.resolve(tests);
  if (!(await exists(file))) {
    throw new TinyxError('TINYX_TESTS_NOT_FOUND', `Tests not found: ${file}.`, { advice: 'Pass --tests with an executable that exits 0 when the app works.' });
  }
  if (!(await isExecutableFile(file))) {
    throw new TinyxError('TINYX_TESTS_NOT_EXECUTABLE', `Tests are not executable: ${file}.`, { advice: `chmod +x ${file} (and give it a #! line).` });
  }
  return file;
}

/**
 * Makes the out dir (one level at a time: Node's recursive mkdir loops forever under /proc) and
 * writes a file in it, so an out dir under a file or on a read-only place fails now.
 */
export async function checkOut(out: string): Promise<string> {
  const dir = path.resolve(out);
  const invalid = (message: string, cause?: unknown) => new TinyxError('TINYX_OUT_INVALID', message, {
    advice: 'Pass --out a new or existing directory you can write to.', cause,
  });
  const missing: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      if ((info.code !== 'ENOENT' && info.code !== 'ENOTDIR') || at === path.dirname(at)) throw invalid(`Cannot use --out ${dir}: ${at}: ${info.code ?? info.message}.`, info);
      missing.unshift(at);
      continue;
    }
    if (!info.isDirectory()) throw invalid(at === dir ? `--out ${dir} exists and is not a directory.` : `Cannot create --out ${dir}: ${at} is not a directory.`);
    break;
  }
  for (const at of missing) {
    await mkdir(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw invalid(`Cannot create --out ${dir}: mkdir ${at}: ${error.code ?? error.message}.`, error);
    });
  }
  const probe = path.join(dir, `.tinyx-write-test-${process.pid}`);
  await writeFile(probe, '').catch((error: NodeJS.ErrnoException) => {
    throw invalid(`--out ${dir} is not writable (${error.code ?? error.message}).`, error);
  });
  await rm(probe, { force: true });
  return dir;
}

export async function checkTools(): Promise<void> {
  await findQemu();
}
