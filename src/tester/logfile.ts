// A log file a child's output is copied into: a failed write (a full disk, an I/O error) is caught,
// told once so the child can be stopped, and kept as an infrastructure TinyxError.
import { createWriteStream, type WriteStream } from 'node:fs';
import { TinyxError } from '../errors.js';

export class LogFile {
  private readonly stream: WriteStream;
  private failure: TinyxError | undefined;

  /** `onFail` is called once, on the first failed write: stop whatever feeds the log. */
  constructor(readonly file: string, onFail: (error: TinyxError) => void = () => undefined) {
    this.stream = createWriteStream(file);
    this.stream.on('error', (error) => {
      if (this.failure) return;
      this.failure = writeFailed(file, error);
      onFail(this.failure);
    });
  }

  /** Why the log could not be written, once a write failed. */
  get failed(): TinyxError | undefined {
    return this.failure;
  }

  /** Appends `chunk`; after a failure, writes nothing more. */
  write(chunk: string | Buffer): void {
    if (!this.failure) this.stream.write(chunk);
  }

  /** Flushes and closes the file; a failure while flushing is kept in `failed`, never thrown. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failure || this.stream.destroyed) resolve();
      else this.stream.end(() => resolve());
    });
  }
}

/** A file tinyx writes (a log, a stored kernel) could not be written: not a verdict on any config. */
export function writeFailed(file: string, cause: Error): TinyxError {
  return new TinyxError('TINYX_WRITE_FAILED', `Could not write ${file}: ${cause.message}`, {
    advice: 'Free disk space there (or check the disk), then run the same command again: it resumes.',
    cause,
  });
}

/** Errors of a write the disk refused; anything else is not the disk's. */
const DISK_ERRORS = ['ENOSPC', 'EDQUOT', 'EIO', 'EROFS'];

/** A failed file operation the disk refused (a full disk, an I/O error) as writeFailed(), naming `where` when the error names no file; any other error as it is. */
export function asWriteFailure(error: unknown, where: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  return failure instanceof Error && DISK_ERRORS.includes(failure.code ?? '') ? writeFailed(failure.path ?? where, failure) : error;
}
