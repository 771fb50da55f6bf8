// `tinyx minimize`: parse flags (defined in flags/minimize.ts), run the pipeline (which writes the output dir) with a progress display.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { accelChoice } from '../vm/accel.js';
import { parseCompression, parseCompressionList } from '../packager/compress.js';
import { loadProfile } from '../profile/load.js';
import { parseInitChoice } from '../packager/init-kind.js';
import { minimize } from '../run/minimize.js';
import type { AppOptions, ExecutionOptions, HarnessOptions, KernelOptions, SearchOptions } from '../search/options.js';
import type { MinimizeOptions, RunOptions } from '../run/options.js';
import { checkWorkers } from '../remote/inputs.js';
import { loadWorkersFile, type WorkerSpec } from '../remote/workers-file.js';
import { parseFlags, type FlagValues } from './flags/flag.js';
import { MINIMIZE_FLAGS, MINIMIZE_GROUPS, MINIMIZE_USAGE } from './flags/minimize.js';
import { renderHelp } from './flags/render.js';
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
  const out = path.resolve(values.out ?? (await defaultOut(options.app)));
  const progress = progressListener(io);
  try {
    const { output: { report } } = await minimize({ ...options, out, signal: io.signal, onEvent: progress.listener });
    progress.stop();
    io.stdout(`${path.join(out, 'report.md')}\n`);
    io.stdout(`bzImage ${report.start.bzImageBytes} -> ${report.final.bzImageBytes} bytes, initramfs ${report.start.initramfsBytes === report.final.initramfsBytes ? report.start.initramfsBytes : `${report.start.initramfsBytes} -> ${report.final.initramfsBytes}`} bytes, options =y ${report.start.optionsEnabled} -> ${report.final.optionsEnabled}, ${report.builds} builds${report.oneAtATimeBuilds !== undefined ? ` (one-at-a-time: ${report.oneAtATimeBuilds})` : ''}, ${report.wallSeconds} s\n`);
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

/** minimize's flags as MinimizeOptions, all but the run group: the one mapping, which `tinyx fleet` sends each app's keys through too. */
export type FlagOptions = Omit<MinimizeOptions, keyof RunOptions>;

/** Reads minimize's flag values (and the app's arguments) into the options groups; a bad value is a TINYX_USAGE error. */
export async function optionsFromFlags(values: FlagValues<typeof MINIMIZE_FLAGS>, appArgs: string[]): Promise<FlagOptions> {
  if (!values.app || !values.tests) throw new TinyxError('TINYX_USAGE', 'minimize needs --app and --tests.', { advice: 'See tinyx minimize --help.' });
  const profile = await loadProfile(values.profile);
  const execution = await executionFromFlags(values);
  // Read in this order (a bad flag is reported before the ones after it), then handed over in the groups each stage takes.
  const port = number(values.port, 'port');
  const confirmFailures = number(values['confirm-failures'], 'confirm-failures');
  const finalRuns = number(values['final-runs'], 'final-runs');
  const accel = accelChoice(values.accel, profile.qemu.accel);
  const env = parseEnv(values.env);
  const cwd = guestDir(values.cwd);
  const init = parseInitChoice(values.init);
  const compression = values.compression === undefined ? undefined : parseCompression(values.compression, '--compression');
  const compareCompression = values['compare-compression'] === undefined ? undefined : parseCompressionList(values['compare-compression'], '--compare-compression');
  const testTimeoutMs = number(values['test-timeout'], 'test-timeout') * 1000;
  const bootTimeoutMs = number(values['boot-timeout'], 'boot-timeout') * 1000;
  const app: AppOptions = {
    app: values.app, entry: values.entry, appArgs, include: values.include, exclude: values.exclude,
    includePackages: values['include-package'], trace: values.trace, user: values.user, env, cwd, init,
    keepFiles: values['keep-files'], prune: !values['no-prune'], strip: !values['no-strip'], keepSetuid: values['keep-setuid'],
  };
  const harness: HarnessOptions = { tests: values.tests, port, accel, testTimeoutMs, bootTimeoutMs };
  const kernel: KernelOptions = { profile, kernelSrc: values['kernel-src'], compression };
  const search: SearchOptions = {
    candidates: values.candidates?.split(',').map((s) => s.trim()).filter(Boolean),
    strategy: values.strategy, cmdlineStrategy: values['cmdline-strategy'], from: values.from, noPrior: values['no-prior'], keepCmdline: values['keep-cmdline'], keepMemory: values['keep-memory'],
    compareCompression,
    kernelTrace: values['kernel-trace'], assumeMonotone: values['assume-monotone'], confirmFailures, finalRuns,
  };
  return { ...app, ...harness, ...kernel, ...search, ...execution };
}

/**
 * The execution group (slots, workers, distcc) from minimize's flag values: the workers file read,
 * each worker's address, key and known_hosts files and the distcc hosts checked. A bad value is a
 * TINYX_USAGE error, before any work.
 */
export async function executionFromFlags(values: FlagValues<typeof MINIMIZE_FLAGS>): Promise<ExecutionOptions> {
  const jobs = values.jobs === undefined ? undefined : number(values.jobs, 'jobs');
  const unreachable = values['worker-unreachable'];
  if (unreachable !== 'fail' && unreachable !== 'warn') throw new TinyxError('TINYX_USAGE', `--worker-unreachable must be fail or warn, got ${unreachable}.`);
  const workerSlots = number(values['worker-slots'], 'worker-slots');
  if (workerSlots < 1) throw new TinyxError('TINYX_USAGE', `--worker-slots must be a whole number of at least 1, received ${workerSlots}.`);
  const workers: WorkerSpec[] = [
    ...(values.workers ? await loadWorkersFile(values.workers) : []),
    ...(values.worker ?? []).map((url) => ({
      url, slots: workerSlots, identity: values.identity, knownHosts: values['known-hosts'],
    })),
  ];
  await checkWorkers(workers, values.distcc);
  return { jobs, workers, onUnreachableWorker: unreachable, distcc: values.distcc };
}

/** KEY=VALUE pairs; the key must be a shell variable name. */
export function parseEnv(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new TinyxError('TINYX_USAGE', `--env expects KEY=VALUE with KEY a variable name, received "${pair}".`);
    env[key] = pair.slice(at + 1);
  }
  return env;
}

function guestDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  if (!dir.startsWith('/')) throw new TinyxError('TINYX_USAGE', `--cwd is a directory in the VM and must be absolute, received "${dir}".`);
  return dir;
}

/** A whole number as written; its range is checked by the inputs stage (checkSettings). */
function number(text: string, flag: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new TinyxError('TINYX_USAGE', `--${flag} expects a whole number, received "${text}".`);
  return Number(text);
}
