// run.json in the output dir: what a run was asked to do, so `tinyx verify` can do it again.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import type { MinimizeOptions } from './minimize.js';

/** The options of a run as given, with paths made absolute and the profile as its file. */
export type RunSpec = Pick<MinimizeOptions,
  | 'app' | 'entry' | 'appArgs' | 'tests' | 'port' | 'kernelSrc' | 'candidates' | 'strategy' | 'cmdlineStrategy' | 'confirmFailures'
  | 'include' | 'exclude' | 'includePackages' | 'trace' | 'user' | 'env' | 'cwd' | 'accel'> & {
  profile: string;
};

export async function writeRunSpec(out: string, options: MinimizeOptions): Promise<void> {
  const spec: RunSpec = {
    app: path.resolve(options.app), entry: options.entry, appArgs: options.appArgs, tests: path.resolve(options.tests), port: options.port,
    profile: options.profile.source, kernelSrc: options.kernelSrc && path.resolve(options.kernelSrc),
    candidates: options.candidates, strategy: options.strategy, cmdlineStrategy: options.cmdlineStrategy,
    confirmFailures: options.confirmFailures, accel: options.accel,
    include: options.include, exclude: options.exclude, includePackages: options.includePackages, trace: options.trace,
    user: options.user, env: options.env, cwd: options.cwd,
  };
  await writeFileAtomic(path.join(out, 'run.json'), JSON.stringify(spec, null, 2) + '\n');
}

export async function readRunSpec(out: string): Promise<RunSpec> {
  const file = path.join(out, 'run.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunSpec;
  } catch (error) {
    throw new TinyxError('TINYX_OUT_INVALID', `${out} is not a tinyx output directory (no readable run.json).`, {
      advice: 'Pass the --out directory of a finished `tinyx minimize` run.', cause: error,
    });
  }
}
