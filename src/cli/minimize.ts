// `tinyx minimize`: parse flags, run the pipeline with a progress display, write the output dir.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TinyxError } from '../errors.js';
import { accelChoice } from '../tester/accel.js';
import { loadProfile, DEFAULT_PROFILE } from '../profile/load.js';
import { minimize } from '../search/minimize.js';
import { loadWorkersFile, type WorkerSpec } from '../remote/workers-file.js';
import { writeOutput } from '../packager/output.js';
import type { CliIo } from './io.js';
import { progressListener } from './progress.js';

export const MINIMIZE_HELP = `Usage: tinyx minimize --app PROGRAM --tests EXECUTABLE [options] [-- APP ARGS...]

Builds the smallest kernel (and boot command line) on which the app still passes its tests.

  --app PATH            the program to run in the VM: an ELF executable, a #! script (a Python
                        script brings only the modules it imports) or a directory (copied whole)
  --entry REL           for a directory app: the program in it to run, relative to it (default:
                        bin/<dir name>, <dir name>, run or start, else its only executable at the
                        top or in bin/)
  --tests PATH          executable run on the host; exit 0 = pass. It gets TINYX_HOST,
                        TINYX_PORT (a 127.0.0.1 port forwarded to --port in the guest) and
                        TINYX_CONSOLE (the guest console log)
  --port N              TCP port the app listens on in the guest, 1-65535 (default 80); 0 = no
                        network: the tests run once the app has started and read TINYX_CONSOLE
  --profile NAME|FILE   target profile (default ${DEFAULT_PROFILE})
  --kernel-src DIR      kernel tree (default: Debian's linux-source-6.1, unpacked into the cache)
  --out DIR             output directory (default out/<app name>); re-running with the same
                        --out resumes from its journal
  --jobs N              candidates evaluated at once (at least 1), each in its own build dir
  --strategy NAME       kernel search strategy (default: the profile's)
  --cmdline-strategy NAME  boot option search strategy (default: the profile's)
  --include PATH[:GUEST]  also put this file or directory in the VM (repeatable)
  --exclude PATH        leave this path out of the VM (repeatable)
  --include-package PKG  also put this Debian package's files in the VM, e.g. ca-certificates
                        (repeatable)
  --trace               before packing, run the app on this host under strace (as --user, with
                        --env and --cwd) while the tests run against it on 127.0.0.1:--port, and
                        add the files it used (dlopen'ed modules, data); the port must be free here
  --user NAME           run the app as this user (a host account; copied to the VM's /etc/passwd)
  --env KEY=VALUE       environment variable for the app (repeatable)
  --cwd DIR             the app's working directory in the VM (created if missing; default /)
  --candidates A,B,...  only try removing these options (a bounded search)
  --keep-cmdline        do not search boot options
  --from DIR|CONFIG     start from a previous result (its out dir, or a .config): the options it
                        removed are tried first, all at once; if that still passes, only the
                        options it kept are tested, one at a time
  --confirm-failures N  runs that must fail again before a failing candidate counts as failing
                        (default 1; 0 trusts a single failure)
  --final-runs N        boots of the result, all of which must pass, before it is written (default 3)
  --kernel-trace        boot the start kernel once with QEMU logging the kernel code it
                        runs, and try removing options whose code never ran first
  --assume-monotone     trust that removing more options never makes a failing kernel pass:
                        kept options are not re-checked on the final config (fewer builds;
                        1-minimal only if the trust holds: tinyx verify checks it)
  --accel auto|kvm|tcg  QEMU accelerator (default: $TINYX_ACCEL, else the profile's qemu.accel,
                        else auto: KVM only once a probe guest has run under it on this host)
  --test-timeout S      seconds before the tests count as failed (default 120)
  --boot-timeout S      seconds for the guest to start the app (default 120)
  --worker URL          also evaluate candidates on ssh://user@host[:port] (repeatable)
  --workers FILE        worker hosts from a workers.yaml (docs/workers.md)
  --identity KEY        SSH private key for --worker (default: agent, ~/.ssh/id_ed25519, id_rsa)
  --known-hosts FILE    known_hosts for --worker (default ~/.ssh/known_hosts)
  --worker-slots N      slots per --worker (default 1)
  --worker-unreachable fail|warn  an unreachable worker stops the run (default) or is left out
  --distcc HOSTS        compile through ccache + distcc (DISTCC_HOSTS syntax)
  -h, --help            this text
`;

export async function minimizeCommand(argv: string[], io: CliIo): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const appArgs = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseArgs({
    args: own,
    strict: true,
    allowPositionals: false,
    options: {
      app: { type: 'string' }, entry: { type: 'string' }, tests: { type: 'string' }, port: { type: 'string' }, profile: { type: 'string' },
      'kernel-src': { type: 'string' }, out: { type: 'string' }, jobs: { type: 'string' }, strategy: { type: 'string' },
      'cmdline-strategy': { type: 'string' }, candidates: { type: 'string' }, from: { type: 'string' },
      'confirm-failures': { type: 'string' }, 'final-runs': { type: 'string' }, 'keep-cmdline': { type: 'boolean' }, 'kernel-trace': { type: 'boolean' },
      'assume-monotone': { type: 'boolean' },
      include: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true },
      'include-package': { type: 'string', multiple: true }, trace: { type: 'boolean' },
      user: { type: 'string' }, env: { type: 'string', multiple: true }, cwd: { type: 'string' },
      'test-timeout': { type: 'string' }, 'boot-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      worker: { type: 'string', multiple: true }, workers: { type: 'string' }, identity: { type: 'string' },
      'known-hosts': { type: 'string', multiple: true }, 'worker-slots': { type: 'string' },
      'worker-unreachable': { type: 'string' }, distcc: { type: 'string' }, accel: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(MINIMIZE_HELP);
    return 0;
  }
  if (!values.app || !values.tests) throw new TinyxError('TINYX_USAGE', 'minimize needs --app and --tests.', { advice: 'See tinyx minimize --help.' });
  const out = path.resolve(values.out ?? path.join('out', path.basename(values.app)));
  const profile = await loadProfile(values.profile ?? DEFAULT_PROFILE);
  const unreachable = values['worker-unreachable'] ?? 'fail';
  if (unreachable !== 'fail' && unreachable !== 'warn') throw new TinyxError('TINYX_USAGE', `--worker-unreachable must be fail or warn, got ${unreachable}.`);
  const workerSlots = number(values['worker-slots'], 'worker-slots', 1);
  if (workerSlots < 1) throw new TinyxError('TINYX_USAGE', `--worker-slots must be a whole number of at least 1, received ${workerSlots}.`);
  const workers: WorkerSpec[] = [
    ...(values.workers ? await loadWorkersFile(values.workers) : []),
    ...(values.worker ?? []).map((url) => ({
      url, slots: workerSlots, identity: values.identity, knownHosts: values['known-hosts'],
    })),
  ];
  const progress = progressListener(io);
  try {
    const result = await minimize({
      app: values.app, entry: values.entry, appArgs, tests: values.tests, out, profile,
      port: number(values.port, 'port', 80), kernelSrc: values['kernel-src'],
      jobs: values.jobs === undefined ? undefined : number(values.jobs, 'jobs', 1),
      strategy: values.strategy, cmdlineStrategy: values['cmdline-strategy'],
      candidates: values.candidates?.split(',').map((s) => s.trim()).filter(Boolean),
      from: values.from, confirmFailures: number(values['confirm-failures'], 'confirm-failures', 1),
      finalRuns: number(values['final-runs'], 'final-runs', 3),
      keepCmdline: values['keep-cmdline'], kernelTrace: values['kernel-trace'],
      assumeMonotone: values['assume-monotone'], accel: accelChoice(values.accel, profile.qemu.accel), include: values.include, exclude: values.exclude,
      includePackages: values['include-package'], trace: values.trace,
      user: values.user, env: parseEnv(values.env), cwd: guestDir(values.cwd),
      testTimeoutMs: number(values['test-timeout'], 'test-timeout', 120) * 1000,
      bootTimeoutMs: number(values['boot-timeout'], 'boot-timeout', 120) * 1000,
      workers, onUnreachableWorker: unreachable, distcc: values.distcc,
      signal: io.signal, onEvent: progress.listener,
    });
    const report = await writeOutput(result, out);
    progress.stop();
    io.stdout(`${path.join(out, 'report.md')}\n`);
    io.stdout(`bzImage ${report.start.bzImageBytes} -> ${report.final.bzImageBytes} bytes, options =y ${report.start.optionsEnabled} -> ${report.final.optionsEnabled}, ${report.builds} builds, ${report.wallSeconds} s\n`);
    io.stdout(`Results in ${out} (boot it with ${path.join(out, 'run.sh')})\n`);
    return 0;
  } finally {
    progress.stop();
  }
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
function number(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\s*-?\d+\s*$/.test(text)) throw new TinyxError('TINYX_USAGE', `--${flag} expects a whole number, received "${text}".`);
  return Number(text);
}
