// A fleet app as `tinyx minimize` flags: the argv its keys make, so minimize's own parser and mapping read it.
import type { FleetApp, FlagValue } from './file.js';

/** What every app of a run shares: the kernel (`--kernel-src`) and the execution flags (slots, workers, distcc). */
export interface FleetShared {
  kernel?: string;
  execution: Record<string, FlagValue>;
}

/** Pure: `--key=value` for each of the app's flags, then the shared ones, then `--` and the app's arguments. */
export function appArgv(app: FleetApp, shared: FleetShared): string[] {
  const argv: string[] = [];
  const put = (key: string, value: FlagValue) => {
    if (value === true) argv.push(`--${key}`);
    else if (Array.isArray(value)) for (const v of value) argv.push(`--${key}=${v}`);
    // `--key=value`: a value that starts with "-" stays a value.
    else if (value !== false) argv.push(`--${key}=${value}`);
  };
  for (const [key, value] of Object.entries(app.flags)) put(key, value);
  for (const [key, value] of Object.entries(shared.execution)) put(key, value);
  if (shared.kernel !== undefined) put('kernel-src', shared.kernel);
  return [...argv, '--', ...app.args];
}

/** Pure: the app's own options as one canonical text (keys sorted, shared execution flags and the kernel left out: the kernel counts by its tree). */
export function optionsText(app: FleetApp): string {
  const flags = Object.fromEntries(Object.entries(app.flags).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ flags, args: app.args });
}
