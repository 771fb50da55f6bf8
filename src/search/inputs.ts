// Checks a minimize run's inputs up front, so a bad path fails in a second, not after a build.
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { TinyxError } from '../errors.js';
import { exists, isExecutableFile } from '../util/fsx.js';
import { findQemu } from '../tester/qemu.js';

export async function checkApp(app: string): Promise<string> {
  const file = path.resolve(app);
  if (!(await exists(file))) {
    throw new TinyxError('TINYX_APP_NOT_FOUND', `App not found: ${file}.`, { advice: 'Pass --app with the path of the program to run in the VM.' });
  }
  if (!(await isExecutableFile(file))) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `App is not an executable file: ${file}.`, { advice: `chmod +x ${file}, or pass the program itself.` });
  }
  return file;
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

export async function checkOut(out: string): Promise<string> {
  const dir = path.resolve(out);
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new TinyxError('TINYX_OUT_INVALID', `--out ${dir} exists and is not a directory.`, { advice: 'Pass a new or existing directory.' });
  }
  return dir;
}

export async function checkTools(): Promise<void> {
  await findQemu();
}
