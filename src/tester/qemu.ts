// Starts a guest under QEMU (KVM when usable, TCG otherwise) and watches its serial console.
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { TinyxError } from '../errors.js';
import { ConsoleWatcher } from './console.js';

export interface GuestSpec {
  bzImage: string;
  initramfs: string;
  cmdline: string;
  machine: string;
  memory: string;
  extraArgs: string[];
  /** Guest TCP port to forward from 127.0.0.1:hostPort (0: no network device). */
  guestPort: number;
  hostPort: number;
  consoleLog: string;
}

export interface Guest {
  /** Resolves with the first console line matching one of `patterns`, or undefined if QEMU exits first. */
  waitFor(patterns: RegExp[], timeoutMs: number): Promise<{ line: string; pattern: RegExp } | undefined>;
  readonly exited: Promise<void>;
  /** The console so far. */
  console(): string;
  stop(): Promise<void>;
}

export const QEMU_BINARY = 'qemu-system-x86_64';

export async function findQemu(): Promise<string> {
  const result = await execa('sh', ['-c', `command -v ${QEMU_BINARY}`], { reject: false });
  if (result.exitCode !== 0 || !result.stdout) {
    throw new TinyxError('TINYX_QEMU_NOT_FOUND', `${QEMU_BINARY} was not found on PATH.`, {
      advice: 'Install it: apt-get install qemu-system-x86 (as root).',
    });
  }
  return result.stdout.trim();
}

export async function kvmUsable(): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function qemuArgs(spec: GuestSpec): Promise<string[]> {
  const accel = (await kvmUsable()) ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg'];
  const net = spec.guestPort > 0
    ? ['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${spec.hostPort}-:${spec.guestPort}`, '-device', 'virtio-net-pci,netdev=n0']
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
  const log = createWriteStream(spec.consoleLog);
  const child: ResultPromise = execa(qemu, await qemuArgs(spec), {
    reject: false, buffer: false, stdin: 'ignore', all: true, cancelSignal: signal, forceKillAfterDelay: 2_000,
  });
  const watcher = new ConsoleWatcher(log);
  child.all?.on('data', (chunk: Buffer) => watcher.feed(chunk));
  const exited = child.then(() => watcher.close());

  return {
    exited,
    console: () => watcher.all,
    waitFor: (patterns, timeoutMs) => watcher.waitFor(patterns, timeoutMs),
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
