// Starts a guest under QEMU (with the accelerator decided in accel.ts) and watches its serial console.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { TinyxError } from '../errors.js';
import { accelArgs, type Accel } from './accel.js';
import { ConsoleWatcher, type ConsoleMatch } from './console.js';
import { LogFile } from './logfile.js';

export interface GuestSpec {
  bzImage: string;
  initramfs: string;
  cmdline: string;
  /** `-M`, with the machine's options (`microvm,acpi=off`). */
  machine: string;
  memory: string;
  /** The network card's QEMU device (the profile's qemu.netDevice), used only with a guestPort; absent: DEFAULT_NET_DEVICE. */
  netDevice?: string;
  extraArgs: string[];
  /** Guest TCP port to forward from 127.0.0.1:hostPort (0: no network device). */
  guestPort: number;
  hostPort: number;
  consoleLog: string;
  accel: Accel;
}

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

export const QEMU_BINARY = 'qemu-system-x86_64';

/** The guest's network card when the profile names none: virtio on the PCI bus of QEMU's `pc`. */
export const DEFAULT_NET_DEVICE = 'virtio-net-pci';

/** QEMU on PATH, or $TINYX_QEMU when set (another build, or a wrapper). */
export async function findQemu(): Promise<string> {
  if (process.env.TINYX_QEMU) return process.env.TINYX_QEMU;
  const result = await execa('sh', ['-c', `command -v ${QEMU_BINARY}`], { reject: false });
  if (result.exitCode !== 0 || !result.stdout) {
    throw new TinyxError('TINYX_QEMU_NOT_FOUND', `${QEMU_BINARY} was not found on PATH.`, {
      advice: 'Install it: apt-get install qemu-system-x86 (as root).',
    });
  }
  return result.stdout.trim();
}

export function qemuArgs(spec: GuestSpec): string[] {
  const accel = accelArgs(spec.accel);
  const net = spec.guestPort > 0
    ? ['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${spec.hostPort}-:${spec.guestPort}`, '-device', `${spec.netDevice ?? DEFAULT_NET_DEVICE},netdev=n0`]
    : [];
  return [
    '-M', spec.machine, ...accel, '-m', spec.memory, '-smp', '1',
    '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
    '-kernel', spec.bzImage, '-initrd', spec.initramfs, '-append', spec.cmdline,
    ...net, ...spec.extraArgs,
  ];
}

export async function startGuest(spec: GuestSpec, signal?: AbortSignal): Promise<Guest> {
  const qemu = await findQemu();
  await mkdir(path.dirname(spec.consoleLog), { recursive: true });
  // Through setpriv: QEMU gets SIGKILL the moment tinyx dies, even on kill -9.
  const [file, args] = (await pdeathsig()) ? ['setpriv', ['--pdeathsig', 'KILL', '--', qemu, ...qemuArgs(spec)]] : [qemu, qemuArgs(spec)];
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
