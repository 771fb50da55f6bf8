// --trace for an image: its program run under strace in a private root of the unpacked image (the cached tree never written), the tests against it from this host.
import { execa, type ResultPromise } from 'execa';
import { constants, existsSync, rmdirSync, rmSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { chrootCommand, OWNERS_FILE, SETUP_FAILED, TOOL_NAMES, workDirToCreate, type ChrootRun, type ChrootTools } from './chroot-run.js';
import type { Tree } from '../image/tree.js';
import { firstOf, isWorthKeeping, parseStraceLog, writtenDirs, type StraceResult } from './strace.js';
import { joinResumed, parseStraceCalls } from './strace-calls.js';
import { killGroupOnExit, stopGroup } from './traced-group.js';

export interface ImageTraceOptions {
  /** How long the program runs (with a probe: the probe's time limit), in seconds. Default 3. */
  seconds?: number;
  /** The tests, run on this host with TINYX_HOST=127.0.0.1 and TINYX_PORT=`port`; the program is stopped when they end. */
  probe?: { command: string; args?: string[]; port: number };
  /** Stops the run early (the probe too); every process of it is gone before straceInImage throws. */
  signal?: AbortSignal;
}

/** The first successful chroot of the log: what comes after it happens inside the image. */
const CHROOTED = /^\d+\s+chroot\("(?:[^"\\]|\\.)*"\)\s+=\s+0$/m;
/** A successful execve: in the image, the first one starts the program (the calls before it are unshare's). */
const EXECUTED = /^\d+\s+execve\(.*\)\s+=\s+0$/;

/**
 * Run `run` (the image's program, environment, working directory and user) under strace, chrooted
 * into an overlay whose lower layer is the unpacked image and whose upper layer lives in memory,
 * with its own /proc, /dev, /sys (read-only) and /tmp; the paths it used, as image paths.
 * Everything lives in a mount and PID namespace of its own, so no mount and no process outlives
 * the run: not on success, failure or abort, nor when this process is killed.
 */
export async function straceInImage(image: { rootfs: string; tree: Tree }, run: ChrootRun, options: ImageTraceOptions = {}): Promise<StraceResult> {
  const tools = await findTools();
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-image-trace-'));
  const log = path.join(dir, 'strace.log');
  const owners = path.join(dir, OWNERS_FILE);
  // Its log, the owners list and two empty dirs, never removed recursively: should a mount show there, nothing under it is touched.
  const removeDir = (): void => {
    rmSync(log, { force: true });
    rmSync(owners, { force: true });
    for (const d of [path.join(dir, 'ns'), dir]) if (existsSync(d)) rmdirSync(d);
  };
  // Should this process exit mid-run (no `finally` runs then), the scratch dir goes with it too, if it can.
  const removeOnExit = (): void => {
    try {
      removeDir();
    } catch {
      // not empty yet (strace still writing): the dir stays, with nothing mounted there
    }
  };
  process.on('exit', removeOnExit);
  try {
    await mkdir(path.join(dir, 'ns'));
    await writeFile(owners, ownersList(image.tree));
    const mkwd = workDirToCreate(image.tree, run.workingDir);
    const [command, ...args] = chrootCommand(tools, run, { dir, image: image.rootfs, log, mkwd });
    const traced = execa(command!, args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', detached: true });
    // setpriv leads a process group of its own (detached): unshare and the namespace's first process are in it.
    const undo = traced.pid === undefined ? () => undefined : killGroupOnExit(traced.pid);
    try {
      await runFor(traced, options);
      if (traced.pid !== undefined) await stopGroup(traced.pid, traced);
    } finally {
      undo();
    }
    const result = await traced;
    if (options.signal?.aborted) {
      throw new TinyxError('TINYX_INTERRUPTED', `Interrupted while tracing ${run.argv[0]} in the image; its processes are stopped.`, { advice: 'Run the same command again.' });
    }
    const stderr = String(result.stderr).trim();
    if (result.exitCode === SETUP_FAILED) throw failed(`the private root could not be set up: ${stderr}`, 'Run tinyx as root on a Linux kernel with overlayfs and mount namespaces, or drop --trace.');
    const inImage = afterChroot(await readFile(log, 'utf8').catch(() => ''));
    const { opened, executed, probed, written } = parseStraceLog(inImage);
    if (executed.length === 0) {
      throw failed(`${run.argv[0]} did not start in the image: ${stderr || `exit status ${result.exitCode}`}`, 'Allow ptrace for strace, check the image\'s program, user and working directory, or drop --trace.');
    }
    const appDir = path.posix.dirname(run.argv[0] ?? '/');
    return {
      files: [...new Set([...opened, ...executed, ...probed])].filter((f) => isWorthKeeping(f, appDir)).sort(),
      writtenDirs: writtenDirs(written, appDir),
      ...parseStraceCalls(fromProgram(inImage)),
    };
  } finally {
    process.off('exit', removeOnExit);
    removeDir();
  }
}

/** Until the probe ends (or the run fails to set up, which the probe need not wait for), or the time limit, or the abort. */
async function runFor(traced: ResultPromise, options: ImageTraceOptions): Promise<void> {
  const ms = (options.seconds ?? 3) * 1000;
  if (!options.probe) return firstOf(ms, traced, options.signal);
  const done = new AbortController();
  const env = { ...process.env, TINYX_HOST: '127.0.0.1', TINYX_PORT: String(options.probe.port) };
  const cancelSignal = options.signal ? AbortSignal.any([options.signal, done.signal]) : done.signal;
  const probe = execa(options.probe.command, options.probe.args ?? [], { env, reject: false, timeout: ms, stdin: 'ignore', cancelSignal });
  await Promise.race([probe, traced.then((r) => (r.exitCode === SETUP_FAILED ? undefined : probe))]);
  done.abort();
  await probe;
}

/** The log after the chroot into the image (its paths are image paths); empty when there was none. */
function afterChroot(log: string): string {
  const m = CHROOTED.exec(log);
  return m ? log.slice(m.index + m[0].length) : '';
}

/** The log's lines from the program's start on. */
function fromProgram(log: string): string[] {
  const lines = joinResumed(log);
  return lines.slice(lines.findIndex((l) => EXECUTED.test(l)));
}

/** Each tool on this process's PATH, or a refusal naming the missing ones. */
async function findTools(): Promise<ChrootTools> {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  const found: Partial<ChrootTools> = {};
  for (const name of TOOL_NAMES) {
    for (const d of dirs) {
      const file = path.join(d, name);
      if (await access(file, constants.X_OK).then(() => true, () => false)) {
        found[name] = file;
        break;
      }
    }
  }
  const missing = TOOL_NAMES.filter((n) => found[n] === undefined);
  if (missing.length > 0) {
    throw failed(`${missing.join(', ')} not found on PATH`, 'Install them (apt-get install strace util-linux coreutils), or drop --trace.');
  }
  return found as ChrootTools;
}

function failed(why: string, advice: string): TinyxError {
  return new TinyxError('TINYX_IMAGE_TRACE_FAILED', `Cannot trace the image's program: ${why}`, { advice });
}

/**
 * The image's owners the unpacked tree on disk lacks (it belongs to whoever unpacked it), one
 * `uid:gid path` line per path not owned by root, for the set-up script to give the overlay: a
 * program that drops to its user then writes where the image lets it (lighttpd's /var/log/lighttpd).
 * A path with a newline in it is left as it is.
 */
export function ownersList(tree: Tree): string {
  return tree.list().filter(([p, e]) => p !== '' && !p.includes('\n') && (e.uid !== 0 || e.gid !== 0)).map(([p, e]) => `${e.uid}:${e.gid} ${p}\n`).join('');
}
