// minimize's flag values read into its options groups: the one mapping, which `tinyx minimize` and each app of a fleet go through.
import { TinyxError } from '../errors.js';
import { accelChoice } from '../vm/accel.js';
import { parseCompression, parseCompressionList } from '../packager/compress.js';
import { loadProfile } from '../profile/load.js';
import { parseInitChoice } from '../packager/init-kind.js';
import { parseRootChoice } from '../packager/root-kind.js';
import { symbolName } from '../kconfig/dotconfig.js';
import type { AppOptions, ExecutionOptions, HarnessOptions, KernelOptions, SearchOptions } from '../plan/request.js';
import type { MinimizeOptions, RunOptions } from '../run/options.js';
import { checkWorkers } from '../remote/inputs.js';
import { loadWorkersFile, type WorkerSpec } from '../remote/workers-file.js';
import type { FlagValues } from './flag.js';
import type { MINIMIZE_FLAGS } from './minimize.js';

/** minimize's flags as MinimizeOptions, all but the run group: the one mapping, which `tinyx fleet` sends each app's keys through too. */
export type FlagOptions = Omit<MinimizeOptions, keyof RunOptions>;

/** Reads minimize's flag values (and the app's arguments) into the options groups; a bad value is a TINYX_USAGE error. */
export async function optionsFromFlags(values: FlagValues<typeof MINIMIZE_FLAGS>, appArgs: string[]): Promise<FlagOptions> {
  if ((!values.app && !values.image) || !values.tests) throw new TinyxError('TINYX_USAGE', 'minimize needs --app and --tests (or --image and --tests).', { advice: 'See tinyx minimize --help.' });
  if (values.trace && values['no-trace']) throw new TinyxError('TINYX_USAGE', '--trace and --no-trace contradict each other.', { advice: 'Give one of them.' });
  const profile = await loadProfile(values.profile);
  const execution = await executionFromFlags(values);
  // Read in this order (a bad flag is reported before the ones after it), then handed over in the groups each stage takes.
  const port = values.port === undefined ? undefined : number(values.port, 'port');
  const confirmFailures = number(values['confirm-failures'], 'confirm-failures');
  const finalRuns = number(values['final-runs'], 'final-runs');
  const accel = accelChoice(values.accel, profile.qemu.accel);
  const env = parseEnv(values.env);
  const cwd = guestDir(values.cwd);
  const init = parseInitChoice(values.init);
  const root = parseRootChoice(values.root);
  const compression = values.compression === undefined ? undefined : parseCompression(values.compression, '--compression');
  const compareCompression = values['compare-compression'] === undefined ? undefined : parseCompressionList(values['compare-compression'], '--compare-compression');
  const testTimeoutMs = number(values['test-timeout'], 'test-timeout') * 1000;
  const bootTimeoutMs = number(values['boot-timeout'], 'boot-timeout') * 1000;
  const app: AppOptions = {
    app: values.app, image: values.image, imageWhole: values['image-whole'], entry: values.entry, appArgs, include: values.include, exclude: values.exclude,
    includePackages: values['include-package'], trace: values.trace, noTrace: values['no-trace'], user: values.user, env, cwd, init,
    keepFiles: values['keep-files'], prune: !values['no-prune'], strip: !values['no-strip'], keepSetuid: values['keep-setuid'],
    root, volumes: values.volume,
  };
  const harness: HarnessOptions = { tests: values.tests, port, accel, testTimeoutMs, bootTimeoutMs };
  const kernel: KernelOptions = { profile, kernelSrc: values['kernel-src'], compression };
  const search: SearchOptions = {
    candidates: values.candidates?.split(',').map((s) => s.trim()).filter(Boolean),
    strategy: values.strategy, cmdlineStrategy: values['cmdline-strategy'], from: values.from, noPrior: values['no-prior'], keepReachable: values['keep-reachable'], keepCmdline: values['keep-cmdline'], bootSpeedups: values['boot-speedups'], keepMemory: values['keep-memory'], values: values.values === undefined ? undefined : values.values.trim() === 'all' ? 'all' : values.values.split(',').map((s) => symbolName(s.trim())).filter(Boolean),
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
