// What a CLI command needs from the outside world, so tests can pass their own.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (spinner) or a log (plain lines). */
  interactive?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export const processIo = (signal?: AbortSignal): CliIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  signal,
  env: process.env,
});
