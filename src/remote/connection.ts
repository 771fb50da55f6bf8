// One live SSH connection to a worker: exec channels, SFTP transfers, port forwards; notices loss.
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { WorkerLostError } from './errors.js';

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Receives stdout as it arrives (stdout is then not buffered). */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Keep the channel's stdin open until the command exits (for watched() commands). */
  holdStdin?: boolean;
}

export class SshConnection {
  private lostError: WorkerLostError | undefined;
  private readonly watchers = new Set<(error: WorkerLostError) => void>();
  private sftpPromise: Promise<SFTPWrapper> | undefined;

  constructor(readonly client: Client, readonly name: string) {
    const lose = (detail: string, cause?: unknown) => {
      if (this.lostError) return;
      this.lostError = new WorkerLostError(name, detail, cause);
      for (const watcher of [...this.watchers]) watcher(this.lostError);
    };
    client.on('error', (error: Error) => lose(error.message, error));
    client.on('close', () => lose('the connection closed'));
  }

  get lost(): boolean {
    return this.lostError !== undefined;
  }

  /** Runs `promise`, rejecting with WorkerLostError as soon as the connection goes. */
  guard<T>(start: (fail: (error: Error) => void) => Promise<T>): Promise<T> {
    if (this.lostError) return Promise.reject(this.lostError);
    return new Promise<T>((resolve, reject) => {
      const watcher = (error: WorkerLostError) => reject(error);
      this.watchers.add(watcher);
      start(reject).then(resolve, reject).finally(() => this.watchers.delete(watcher));
    });
  }

  /** Opens an exec channel (for streaming use); the caller owns it. */
  open(command: string): Promise<ClientChannel> {
    return this.guard(() => new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel) => (error ? reject(this.wrap(error)) : resolve(channel)));
    }));
  }

  /** Runs a command to its end; a non-zero exit is a result, a dropped connection rejects. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.guard(async () => {
      const channel = await this.open(command);
      return new Promise<ExecResult>((resolve, reject) => {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        const abort = () => channel.close();
        options.signal?.addEventListener('abort', abort, { once: true });
        channel.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : out.push(chunk)));
        channel.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        channel.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? undefined;
        });
        // ssh2 also hands the exit status to 'close': an 'exit' emitted while this listener was still
        // being attached (a fast command's packets all in one read) is not lost.
        channel.on('close', (c?: number | null, s?: string) => {
          if (code === null && signal === undefined && c !== undefined) {
            code = c;
            signal = s ?? undefined;
          }
          options.signal?.removeEventListener('abort', abort);
          // No exit status: the connection may be going; give the client time to notice.
          const settle = () => (this.lostError ? reject(this.lostError)
            : resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
          if (code === null && signal === undefined) setTimeout(settle, 300);
          else settle();
        });
        if (!options.holdStdin) channel.end();
      });
    });
  }

  /** exec() that must succeed (exit 0); the error carries stderr. */
  async run(command: string, options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(command, options);
    if (result.code !== 0) throw new Error(`${this.name}: \`${command.slice(0, 200)}\` exited with ${result.code ?? result.signal}: ${result.stderr.trim().slice(-500)}`);
    return result.stdout;
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpPromise ??= this.guard(() => new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => (error ? reject(this.wrap(error)) : resolve(sftp)));
    }));
    return this.sftpPromise;
  }

  async put(local: string, remote: string, mode = 0o644): Promise<void> {
    const sftp = await this.sftp();
    await this.guard(() => new Promise<void>((resolve, reject) => sftp.fastPut(local, remote, { mode }, (e) => (e ? reject(e) : resolve()))));
  }

  async get(remote: string, local: string): Promise<void> {
    const sftp = await this.sftp();
    await this.guard(() => new Promise<void>((resolve, reject) => sftp.fastGet(remote, local, (e) => (e ? reject(e) : resolve()))));
  }

  async writeFile(remote: string, data: string | Buffer): Promise<void> {
    const sftp = await this.sftp();
    await this.guard(() => new Promise<void>((resolve, reject) => sftp.writeFile(remote, data, (e) => (e ? reject(e) : resolve()))));
  }

  async readFile(remote: string): Promise<Buffer> {
    const sftp = await this.sftp();
    return this.guard(() => new Promise<Buffer>((resolve, reject) => sftp.readFile(remote, (e, data) => (e ? reject(e) : resolve(data)))));
  }

  /** A TCP connection from the worker to host:port on its side (direct-tcpip). */
  forward(host: string, port: number): Promise<ClientChannel> {
    return this.guard(() => new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => (error ? reject(error) : resolve(channel)));
    }));
  }

  close(): void {
    this.lostError ??= new WorkerLostError(this.name, 'the session was closed');
    this.client.end();
  }

  private wrap(error: Error): Error {
    return this.lostError ?? error;
  }
}
