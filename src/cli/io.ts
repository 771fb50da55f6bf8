// What a CLI command needs from the outside world, so tests can pass their own.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (spinner) or a log (plain lines). */
  interactive?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether a spinner can be drawn on `stream`: a terminal that reports a size (a pty opened without
 * one, as `script` run from no terminal opens, is 0x0), outside CI and not a dumb terminal.
 */
export function drawsSpinner(stream: { isTTY?: boolean; columns?: number; rows?: number }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && (stream.rows ?? 0) > 0 && !env.CI && env.TERM !== 'dumb';
}

export const processIo = (signal?: AbortSignal): CliIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  interactive: drawsSpinner(process.stderr, process.env),
  signal,
  env: process.env,
});
