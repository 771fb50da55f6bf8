// `tinyx fleet run|check FLEET.yaml`: loads the fleet file, runs every app (or checks them), prints where the summary is.
import path from 'node:path';
import { DEFAULT_PORT } from '../plan/plan.js';
import { TinyxError } from '../errors.js';
import type { FlagValue } from '../fleet/reader.js';
import { loadFleet } from '../fleet/load.js';
import { DEFAULT_KEEP_HISTORY, runFleet } from '../fleet/run.js';
import { checkOut } from '../search/inputs.js';
import { fleetExitStatus } from '../fleet/summary.js';
import { parseFlags, type FlagValues } from '../flags/flag.js';
import { FLEET_FLAGS, FLEET_OWN_FLAGS, FLEET_USAGE } from '../flags/fleet.js';
import { EXECUTION_KEYS } from '../flags/minimize.js';
import { renderHelp } from '../flags/render.js';
import type { CliIo } from './io.js';
import { progressListener } from './progress.js';

export const fleetHelp = (): string => renderHelp(FLEET_USAGE, FLEET_FLAGS);

export async function fleetCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    io.stdout(fleetHelp());
    return sub ? 0 : 2;
  }
  if (sub !== 'run' && sub !== 'check') {
    throw new TinyxError('TINYX_USAGE', `Unknown fleet command "${sub}".`, { advice: 'tinyx fleet run FLEET.yaml, or tinyx fleet check FLEET.yaml (see tinyx fleet --help).' });
  }
  const { values: all, positionals } = parseFlags(FLEET_FLAGS, rest, true);
  const values = all as unknown as FlagValues<typeof FLEET_OWN_FLAGS>;
  if (values.help) {
    io.stdout(fleetHelp());
    return 0;
  }
  if (positionals.length !== 1) throw new TinyxError('TINYX_USAGE', `fleet ${sub} takes one fleet file, received ${positionals.length}.`, { advice: `tinyx fleet ${sub} FLEET.yaml` });
  const file = positionals[0]!;
  const execution: Record<string, FlagValue> = {};
  for (const key of EXECUTION_KEYS) {
    const value = (all as Record<string, FlagValue | undefined>)[key];
    if (value !== undefined) execution[key] = value;
  }
  const only = values.only?.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  const keep = values['keep-history'];
  if (keep !== undefined && !/^\s*\d+\s*$/.test(keep)) throw new TinyxError('TINYX_USAGE', `--keep-history expects a whole number of results, received "${keep}".`);
  const plan = await loadFleet(file, { kernel: values['kernel-src'], execution, only });
  if (sub === 'check') {
    for (const { app, options } of plan.apps) {
      io.stdout(`${app.name}: ${options.app ?? options.image} tested by ${options.tests}, port ${options.port ?? (options.image ? 'the image\'s' : DEFAULT_PORT)}, profile ${options.profile.name}${options.kernelSrc ? `, kernel ${options.kernelSrc}` : ''}\n`);
    }
    io.stdout(`${file}: ${plan.apps.length} app${plan.apps.length === 1 ? '' : 's'}, valid\n`);
    return 0;
  }
  const out = await checkOut(values.out ?? plan.file.out ?? path.join('out', path.basename(file).replace(/\.ya?ml$/, '')));
  const stamp = () => new Date().toISOString();
  const summary = await runFleet(plan, {
    out, keepHistory: keep !== undefined ? Number(keep) : (plan.file.keepHistory ?? DEFAULT_KEEP_HISTORY), signal: io.signal,
    say: (message) => io.stderr(`[${stamp()} fleet] ${message}\n`),
    // Plain lines carry the time of day and the app: a nightly log reads without the run's start time.
    display: (app) => progressListener(io, io.interactive ? {} : { clock: () => `${stamp()} ${app}` }),
  });
  io.stdout(`${path.join(out, 'summary.md')}\n`);
  for (const app of summary.apps) io.stdout(`${app.name}: ${app.status}${app.error ? ` (${app.error.code})` : ''}, ${app.builds ?? '-'} builds, ${app.wallSeconds} s\n`);
  return fleetExitStatus(summary);
}
