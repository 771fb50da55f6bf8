// TinyxError: one class for every user-facing condition, with a stable code and advice.

export type TinyxErrorCode =
  | 'TINYX_USAGE'
  | 'TINYX_APP_NOT_FOUND'
  | 'TINYX_APP_NOT_EXECUTABLE'
  | 'TINYX_APP_NOT_ELF'
  | 'TINYX_LIBRARY_NOT_FOUND'
  | 'TINYX_SYMLINK_LOOP'
  | 'TINYX_PACKAGE_NOT_FOUND'
  | 'TINYX_USER_NOT_FOUND'
  | 'TINYX_TRACE_FAILED'
  | 'TINYX_IMAGE_TRACE_FAILED'
  | 'TINYX_DISASSEMBLY_FAILED'
  | 'TINYX_TESTS_NOT_FOUND'
  | 'TINYX_TESTS_NOT_EXECUTABLE'
  | 'TINYX_PROFILE_NOT_FOUND'
  | 'TINYX_PROFILE_INVALID'
  | 'TINYX_KERNEL_SRC_NOT_FOUND'
  | 'TINYX_KERNEL_SRC_BUSY'
  | 'TINYX_KERNEL_TOOL_FAILED'
  | 'TINYX_KCONFIG_PARSE'
  | 'TINYX_KCONFIG_UNKNOWN_SYMBOL'
  | 'TINYX_CONFIG_INVALID'
  | 'TINYX_QEMU_NOT_FOUND'
  | 'TINYX_QEMU_FAILED'
  | 'TINYX_ACCEL_SILENT'
  | 'TINYX_ACCEL_UNAVAILABLE'
  | 'TINYX_BUILD_FAILED'
  | 'TINYX_WRITE_FAILED'
  | 'TINYX_BUSYBOX_NOT_FOUND'
  | 'TINYX_INIT_NOT_FOUND'
  | 'TINYX_COMPRESSOR_NOT_FOUND'
  | 'TINYX_COMPRESSOR_FAILED'
  | 'TINYX_STRIP_NOT_FOUND'
  | 'TINYX_START_FAILS'
  | 'TINYX_FINAL_FAILS'
  | 'TINYX_OUT_INVALID'
  | 'TINYX_OUT_LOCKED'
  | 'TINYX_INTERRUPTED'
  | 'TINYX_WORKER_UNREACHABLE'
  | 'TINYX_WORKER_HOST_KEY'
  | 'TINYX_FLEET_INVALID'
  | 'TINYX_FLEET_LOCKED'
  | 'TINYX_IMAGE_NOT_FOUND'
  | 'TINYX_IMAGE_INVALID'
  | 'TINYX_IMAGE_INCOMPLETE'
  | 'TINYX_IMAGE_DIGEST_MISMATCH'
  | 'TINYX_IMAGE_UNSUPPORTED'
  | 'TINYX_IMAGE_PLATFORM_NOT_FOUND'
  | 'TINYX_INTERNAL';

export interface TinyxErrorOptions {
  /** What the user can do about it, printed under the message. */
  advice?: string;
  cause?: unknown;
  /** Facts a program reading the error may branch on (TINYX_START_FAILS: `kind`, what the start VM's console showed). */
  details?: Readonly<Record<string, string>>;
}

export class TinyxError extends Error {
  readonly code: TinyxErrorCode;
  readonly advice?: string;
  readonly details?: Readonly<Record<string, string>>;

  constructor(code: TinyxErrorCode, message: string, options: TinyxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TinyxError';
    this.code = code;
    this.advice = options.advice;
    this.details = options.details;
  }
}

/** Ctrl-C or SIGTERM reached a point where the run stops: every finished verdict is journaled. */
export function interruptedError(): TinyxError {
  return new TinyxError('TINYX_INTERRUPTED', 'Interrupted; every finished verdict is in the journal.', {
    advice: 'Run the same command again (same --out) to resume where it stopped.',
  });
}

export function isTinyxError(error: unknown, code?: TinyxErrorCode): error is TinyxError {
  return error instanceof TinyxError && (code === undefined || error.code === code);
}

/**
 * Failures of the machinery, not verdicts on a config: QEMU that could not start or died, an
 * accelerator that runs nothing, a build killed from outside (OOM, a signal, a full disk, the
 * timeout), a log that could not be written, a lost worker, an image's --trace run that could not be
 * set up. Retried once; if it happens again the run stops and nothing is journaled for the candidate.
 */
export const INFRASTRUCTURE_CODES: readonly TinyxErrorCode[] = [
  'TINYX_QEMU_FAILED', 'TINYX_ACCEL_SILENT', 'TINYX_BUILD_FAILED', 'TINYX_WRITE_FAILED', 'TINYX_WORKER_UNREACHABLE', 'TINYX_IMAGE_TRACE_FAILED',
];

export function isInfrastructureError(error: unknown): error is TinyxError {
  return error instanceof TinyxError && INFRASTRUCTURE_CODES.includes(error.code);
}

/**
 * Refusals of what the user passed (flags, and the files and directories they name): exit status
 * 2 like any usage error, raised by the inputs stage before anything is analysed or built.
 */
export const INPUT_CODES: readonly TinyxErrorCode[] = [
  'TINYX_USAGE', 'TINYX_APP_NOT_FOUND', 'TINYX_APP_NOT_EXECUTABLE', 'TINYX_TESTS_NOT_FOUND', 'TINYX_TESTS_NOT_EXECUTABLE',
  'TINYX_PROFILE_NOT_FOUND', 'TINYX_PROFILE_INVALID', 'TINYX_CONFIG_INVALID', 'TINYX_OUT_INVALID',
  'TINYX_OUT_LOCKED', 'TINYX_FLEET_INVALID', 'TINYX_FLEET_LOCKED',
  'TINYX_IMAGE_NOT_FOUND', 'TINYX_IMAGE_INVALID', 'TINYX_IMAGE_INCOMPLETE', 'TINYX_IMAGE_DIGEST_MISMATCH', 'TINYX_IMAGE_UNSUPPORTED',
  'TINYX_IMAGE_PLATFORM_NOT_FOUND',
];

export function isInputError(error: unknown): error is TinyxError {
  return error instanceof TinyxError && INPUT_CODES.includes(error.code);
}
