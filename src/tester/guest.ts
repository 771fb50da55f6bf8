// Starts a guest under QEMU (with the accelerator decided in src/vm/accel.ts) and watches its serial console.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { TinyxError } from '../errors.js';
import { accelArgs, type Accel } from '../vm/accel.js';
import { findQemu, qemuArgv } from '../vm/qemu.js';
import type { VmSpec } from '../vm/spec.js';
import { ConsoleWatcher, type ConsoleMatch } from './console.js';
import { LogFile } from './logfile.js';

/** A guest the tester boots: the VM, its accelerator, where its console is kept. */
export interface GuestSpec {
  vm: VmSpec;
  accel: Accel;
  consoleLog: string;
}

/** QEMU's arguments for the tester's guest: its console on stdio, read with QEMU's own messages. */
export const guestArgv = (spec: GuestSpec): string[] => qemuArgv(spec.vm, { accel: accelArgs(spec.accel), serial: 'stdio' });

/** How QEMU ended: its exit status (or the signal that killed it), and a console log that could not be written. */
export interface GuestEnd {
  exitCode?: number;
  signal?: string;
  logFailure?: TinyxError;
}

export interface Guest {
  /** Resolves with the first console line matching one of `patterns`, or undefined if QEMU exits first. */
  waitFor(patterns: RegExp[], timeoutMs: number): Promise<ConsoleMatch | undefined>;
  readonly exited: Promise<void>;
  /** How QEMU ended, once it has (set before waitFor() learns the console ended); undefined while it runs. */
  ended(): GuestEnd | undefined;
  /** The console so far. */
  console(): string;
  stop(): Promise<void>;
}

export async function startGuest(spec: GuestSpec, signal?: AbortSignal): Promise<Guest> {
  const qemu = await findQemu();
  await mkdir(path.dirname(spec.consoleLog), { recursive: true });
  // Through setpriv: QEMU gets SIGKILL the moment tinyx dies, even on kill -9.
  const [file, args] = (await pdeathsig()) ? ['setpriv', ['--pdeathsig', 'KILL', '--', qemu, ...guestArgv(spec)]] : [qemu, guestArgv(spec)];
  const child: ResultPromise = execa(file, args, {
    reject: false, buffer: false, stdin: 'ignore', all: true, cancelSignal: signal, forceKillAfterDelay: 2_000,
  });
  // A console that cannot be written stops the guest: its verdict would have no evidence.
  const log = new LogFile(spec.consoleLog, () => child.kill('SIGKILL'));
  const watcher = new ConsoleWatcher(log);
  child.all?.on('data', (chunk: Buffer) => watcher.feed(chunk));
  let end: GuestEnd | undefined;
  const exited = child.then((result) => {
    end = { exitCode: result.exitCode, signal: result.signal };
    return watcher.close();
  });

  return {
    exited,
    ended: () => end && { ...end, logFailure: log.failed },
    console: () => watcher.all,
    waitFor: (patterns, timeoutMs) => watcher.waitFor(patterns, timeoutMs),
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

let setprivFound: Promise<boolean> | undefined;

/** Whether util-linux's setpriv can give QEMU a parent-death signal here. */
function pdeathsig(): Promise<boolean> {
  setprivFound ??= execa('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { reject: false, stdin: 'ignore' }).then((r) => r.exitCode === 0, () => false);
  return setprivFound;
}
