// Starts QEMU on a worker over an exec channel and watches its serial console from here.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ClientChannel } from 'ssh2';
import { qemuArgs, QEMU_BINARY, type Guest, type GuestSpec } from '../tester/qemu.js';
import type { Session } from './session.js';
import { command, quote, watched } from './shell.js';

export interface RemoteGuestSpec extends GuestSpec {
  /** consoleLog is the worker-side file; the stream is copied here as it arrives. */
  localConsoleLog: string;
  kvm: boolean;
}

/** qemuArgs() decides KVM from this machine's /dev/kvm; the worker's own answer replaces it. */
export async function remoteQemuArgs(spec: GuestSpec, kvm: boolean): Promise<string[]> {
  const args = await qemuArgs(spec);
  const at = args.indexOf('-accel');
  const local = args[at + 1] === 'kvm' ? 4 : 2;
  args.splice(at, local, ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg']));
  return args;
}

export async function startRemoteGuest(session: Session, spec: RemoteGuestSpec): Promise<Guest> {
  const argv = [QEMU_BINARY, ...(await remoteQemuArgs(spec, spec.kvm))];
  const script = `${command(argv)} 2>&1 | tee ${quote(spec.consoleLog)}`;
  const channel: ClientChannel = await session.open(watched(script));
  await mkdir(path.dirname(spec.localConsoleLog), { recursive: true });
  const log = createWriteStream(spec.localConsoleLog);
  let text = '';
  let pending = '';
  const waiters = new Set<(line: string | undefined) => void>();
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    text += chunk.toString('latin1');
    pending += chunk.toString('latin1');
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) for (const waiter of [...waiters]) waiter(line);
  };
  channel.on('data', onData);
  channel.stderr.on('data', onData);
  let closed = false;
  const exited = new Promise<void>((resolve) => channel.on('close', () => {
    closed = true;
    if (pending) for (const waiter of [...waiters]) waiter(pending);
    for (const waiter of [...waiters]) waiter(undefined);
    log.end(resolve);
  }));

  return {
    exited,
    console: () => text,
    waitFor(patterns, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        const finish = (match: { line: string; pattern: RegExp } | undefined) => {
          clearTimeout(timer);
          waiters.delete(onLine);
          resolve(match);
        };
        const onLine = (line: string | undefined) => {
          if (line === undefined) return finish(undefined);
          const pattern = patterns.find((p) => p.test(line));
          if (pattern) finish({ line, pattern });
        };
        for (const line of text.split(/\r?\n/)) {
          const pattern = patterns.find((p) => p.test(line));
          if (pattern) return finish({ line, pattern });
        }
        if (closed) return finish(undefined);
        waiters.add(onLine);
      });
    },
    async stop() {
      // EOF on the channel's stdin: the watchdog on the worker kills QEMU's process group.
      if (!closed) {
        channel.end();
        channel.close();
      }
      await exited;
    },
  };
}
