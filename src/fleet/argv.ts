// A fleet app as `tinyx minimize` flags: the argv its keys make, so minimize's own parser and mapping read it.
import type { FleetApp } from './file.js';
import type { FlagValue } from './reader.js';

/** What every app of a run shares: the kernel (`--kernel-src`) and the execution flags (slots, workers, distcc). */
export interface FleetShared {
  kernel?: string;
  execution: Record<string, FlagValue>;
}

/** Pure: `--key=value` for each of the app's flags, then the shared ones, then `--` and the app's arguments. */
export function appArgv(app: FleetApp, shared: FleetShared): string[] {
  const kernel: Record<string, FlagValue> = shared.kernel !== undefined ? { 'kernel-src': shared.kernel } : {};
  return [...flagArgv(app.flags), ...flagArgv(shared.execution), ...flagArgv(kernel), '--', ...app.args];
}

/** Pure: `--key=value` for each flag (`--key` for true, once per value for a list, nothing for false). */
export function flagArgv(flags: Record<string, FlagValue>): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === true) argv.push(`--${key}`);
    else if (Array.isArray(value)) for (const v of value) argv.push(`--${key}=${v}`);
    // `--key=value`: a value that starts with "-" stays a value.
    else if (value !== false) argv.push(`--${key}=${value}`);
  }
  return argv;
}

/** Pure: the app's own options as one canonical text (keys sorted, shared execution flags and the kernel left out: the kernel counts by its tree). */
export function optionsText(app: FleetApp): string {
  const flags = Object.fromEntries(Object.entries(app.flags).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ flags, args: app.args });
}
