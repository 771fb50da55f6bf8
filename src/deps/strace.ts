// Run-time discovery: run the app on the host under strace and collect the files it opens and runs
// (dlopen'ed modules, config, locale data) that no ELF header mentions.
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { GUEST_PATH } from './interpreters.js';
import { joinResumed, parseStraceCalls, type TracedCalls } from './strace-calls.js';
import { killGroupOnExit, stopGroup } from './traced-group.js';

export interface StraceOptions {
  /** Arguments for the host run (a server may need a free port rather than the guest's). */
  args?: string[];
  /** How long to let it run before SIGTERM (with a probe: the probe's time limit). Default 3. */
  seconds?: number;
  /**
   * A command run against the traced app (e.g. the app's tests with TINYX_HOST/TINYX_PORT), so
   * the files it opens while serving requests are seen too. The app is stopped when it ends.
   */
  probe?: { command: string; args?: string[]; env?: Record<string, string> };
  /** The app's environment, on top of PATH and HOME as the guest sets them (default: this process's). */
  env?: Record<string, string>;
  /** Working directory of the run (default: this process's). */
  cwd?: string;
  /** Run the app as this user (strace -u), as the guest will. */
  user?: string;
  /** Stops the run early (the probe too); the app's processes are gone before straceApp throws. */
  signal?: AbortSignal;
}

/** What the app used: the paths worth keeping, and every call it made (see strace-calls.ts). */
export interface StraceResult extends TracedCalls {
  /** Paths the app read, ran or checked, worth putting in the guest; sorted. */
  files: string[];
  /** Directories the app created files in (logs, pid files, state), sorted. */
  writtenDirs: string[];
}

/** Places whose files describe this host or this run (the guest mounts its own /tmp and /run), never the app's needs. */
const SKIP_PREFIXES = ['/proc/', '/sys/', '/dev/', '/run/', '/tmp/', '/var/tmp/'];
/** Home directories: skipped (dotfiles are the user's, not the app's) unless the app lives there. */
const HOME_PREFIXES = ['/root/', '/home/'];
/** Host files the packager writes its own version of (or that would leak host identity). */
const SKIP_FILES = new Set(['/etc/ld.so.cache', '/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/nsswitch.conf', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/machine-id', '/etc/localtime']);

/** Syscalls whose success shows the app depends on a path existing (found by stat, not opened). */
const PROBES = 'stat,lstat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat';
/** Every call the app makes (the paths are read off the file calls among them), no signal. */
const STRACE_FILTER = ['-e', 'trace=all', '-e', 'signal=none'];
const CALL = /^(?:(\d+)\s+)?([a-z0-9_]+)\((?:AT_FDCWD, )?"((?:[^"\\]|\\.)*)"(.*)\)\s+=\s+(-?\d+)/;

export interface StraceFindings {
  /** Opened read-only (files opened for writing are the run's output: logs, pid files). */
  opened: string[];
  executed: string[];
  /** Existence checked with success (stat, access, readlink) or opened as a directory. */
  probed: string[];
  /** Opened for writing or created. */
  written: string[];
}

/**
 * Pure: paths from an `strace -f` log, by how the app used them; failures dropped. A call strace
 * split in two (another process's lines between) counts where it ended. Relative paths
 * are resolved against the process's directory, followed through chdir (a process not seen
 * changing directory is taken to have inherited the last one, as forked workers do).
 */
export function parseStraceLog(text: string, cwd = '/'): StraceFindings {
  const sets = { opened: new Set<string>(), executed: new Set<string>(), probed: new Set<string>(), written: new Set<string>() };
  const probes = new Set(PROBES.split(','));
  const cwdOf = new Map<string, string>();
  let lastCwd = cwd;
  for (const line of joinResumed(text)) {
    const m = CALL.exec(line);
    if (!m || Number(m[5]) < 0) continue;
    const [pid, call, raw, rest] = [m[1] ?? '', m[2] as string, m[3] as string, m[4] as string];
    const file = path.posix.resolve(cwdOf.get(pid) ?? lastCwd, unescape(raw));
    if (call === 'chdir') {
      cwdOf.set(pid, file);
      lastCwd = file;
    } else if (call === 'execve') sets.executed.add(file);
    else if (call === 'open' || call === 'openat') {
      if (/O_WRONLY|O_RDWR|O_CREAT/.test(rest)) {
        sets.written.add(file);
        continue;
      }
      (/O_DIRECTORY/.test(rest) ? sets.probed : sets.opened).add(file);
    } else if (probes.has(call)) sets.probed.add(file);
  }
  return { opened: [...sets.opened], executed: [...sets.executed], probed: [...sets.probed].filter((p) => !sets.opened.has(p)), written: [...sets.written] };
}

/** Pure: whether a traced path is worth putting in the guest; `appDir` files are always kept. */
export function isWorthKeeping(file: string, appDir?: string): boolean {
  if (appDir && file.startsWith(`${appDir}/`)) return true;
  return !SKIP_FILES.has(file) && ![...SKIP_PREFIXES, ...HOME_PREFIXES].some((p) => file.startsWith(p) || `${file}/` === p);
}

/** Pure: directories that must exist for the app's writes, outside the places the guest mounts itself. */
export function writtenDirs(written: string[], appDir?: string): string[] {
  const dirs = new Set(written.map((f) => path.posix.dirname(f)));
  return [...dirs].filter((d) => d !== '/' && isWorthKeeping(d, appDir)).sort();
}

/** Run `app` under strace for a few seconds; returns the paths it used that are worth keeping. */
export async function straceApp(app: string, options: StraceOptions = {}): Promise<StraceResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-trace-'));
  const log = path.join(dir, 'strace.log');
  try {
    if (options.user) await chmod(dir, 0o777); // the app's user may need it as its working directory
    const seconds = options.seconds ?? 3;
    const user = options.user ? ['-u', options.user] : [];
    // A working directory the guest creates at boot may not exist here: run in a scratch one.
    const cwd = options.cwd && (await isDirectory(options.cwd)) ? options.cwd : options.cwd ? dir : undefined;
    const env = options.env ? { PATH: GUEST_PATH, HOME: '/', ...options.env } : undefined;
    const traced = execa('strace', ['-f', '-qq', ...user, ...STRACE_FILTER, '-o', log, '--', app, ...(options.args ?? [])], {
      reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', detached: true, cwd, ...(env ? { env, extendEnv: false } : {}),
    });
    // strace leads a process group of its own (detached): the app and all it forks are in it.
    const undo = traced.pid === undefined ? () => undefined : killGroupOnExit(traced.pid);
    try {
      if (options.probe) {
        await execa(options.probe.command, options.probe.args ?? [], { env: options.probe.env, reject: false, timeout: seconds * 1000, stdin: 'ignore', cancelSignal: options.signal });
      } else {
        await firstOf(seconds * 1000, traced, options.signal);
      }
      if (traced.pid !== undefined) await stopGroup(traced.pid, traced);
    } finally {
      undo();
    }
    const run = await traced;
    if (options.signal?.aborted) {
      throw new TinyxError('TINYX_INTERRUPTED', `Interrupted while tracing ${app}; its processes are stopped.`, { advice: 'Run the same command again.' });
    }
    if (run.code === 'ENOENT' || /strace: (exec|ptrace)/.test(String(run.stderr))) {
      throw new TinyxError('TINYX_TRACE_FAILED', `Cannot trace ${app}: ${run.code === 'ENOENT' ? 'strace is not installed' : String(run.stderr).trim()}`, {
        advice: 'Install strace (`apt-get install strace`) and allow ptrace, or drop --trace.',
      });
    }
    const text = await readFile(log, 'utf8').catch(() => '');
    const { opened, executed, probed, written } = parseStraceLog(text, cwd ?? process.cwd());
    const appDir = path.dirname(path.resolve(app));
    return {
      files: [...new Set([...opened, ...executed, ...probed])].filter((f) => isWorthKeeping(f, appDir)).sort(),
      writtenDirs: writtenDirs(written, appDir),
      ...parseStraceCalls(joinResumed(text)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves after `ms`, once `ended` settles, or once `signal` aborts, whichever comes first. */
export function firstOf(ms: number, ended: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      ok();
    }
    void ended.then(done, done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done);
  });
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e.startsWith('x')) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return e === 'n' ? '\n' : e === 't' ? '\t' : e;
  });
}
