// Starts QEMU on a worker over an exec channel and watches its serial console from here.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ClientChannel } from 'ssh2';
import { ConsoleWatcher } from '../tester/console.js';
import { LogFile } from '../tester/logfile.js';
import { guestArgv, type Guest, type GuestEnd, type GuestSpec } from '../tester/guest.js';
import { command, quote } from '../util/shell.js';
import { QEMU_BINARY } from '../vm/qemu.js';
import type { SshConnection } from './connection.js';
import { watched } from './shell.js';

export interface RemoteGuestSpec extends GuestSpec {
  /** consoleLog is the worker-side file; the stream is copied here as it arrives. */
  localConsoleLog: string;
}

export async function startRemoteGuest(ssh: SshConnection, spec: RemoteGuestSpec): Promise<Guest> {
  const argv = [QEMU_BINARY, ...guestArgv(spec)];
  // The channel's exit status is QEMU's (a pipeline's would be tee's).
  const status = quote(`${spec.consoleLog}.status`);
  const script = `{ ${command(argv)} 2>&1; echo $? >${status}; } | tee ${quote(spec.consoleLog)}; exit "$(cat ${status})"`;
  await mkdir(path.dirname(spec.localConsoleLog), { recursive: true });
  const channel: ClientChannel = await ssh.open(watched(script));
  const log = new LogFile(spec.localConsoleLog, () => channel.close());
  const watcher = new ConsoleWatcher(log);
  const onData = (chunk: Buffer) => watcher.feed(chunk);
  channel.on('data', onData);
  channel.stderr.on('data', onData);
  let end: GuestEnd | undefined;
  channel.on('exit', (code: number | null, signal?: string) => {
    end = { ...(code === null ? {} : { exitCode: code }), ...(signal ? { signal } : {}) };
  });
  const exited = new Promise<void>((resolve) => channel.on('close', () => {
    end ??= {};
    void watcher.close().then(resolve);
  }));

  return {
    exited,
    ended: () => end && { ...end, logFailure: log.failed },
    console: () => watcher.all,
    waitFor: (patterns, timeoutMs) => watcher.waitFor(patterns, timeoutMs),
    async stop() {
      // EOF on the channel's stdin: the watchdog on the worker kills QEMU's process group.
      if (!watcher.ended) {
        channel.end();
        channel.close();
      }
      await exited;
    },
  };
}
