// Loads a fleet file and turns each app into minimize's options through minimize's own flag mapping.
import { readFile } from 'node:fs/promises';
import { MINIMIZE_FLAGS } from '../flags/minimize.js';
import { parseFlags } from '../flags/flag.js';
import { executionFromFlags, optionsFromFlags, type FlagOptions } from '../flags/minimize-options.js';
import { TinyxError, isTinyxError } from '../errors.js';
import { checkRequest } from '../plan/plan.js';
import { didYouMean } from '../util/suggest.js';
import { appArgv, flagArgv, type FleetShared } from './argv.js';
import { parseFleet, type FleetApp, type FleetFile } from './file.js';

export interface PlannedApp {
  app: FleetApp;
  /** Exactly what `tinyx minimize` would run with, given the same flags (the out dir and the warm start are added per run). */
  options: FlagOptions;
}

export interface FleetPlan {
  file: FleetFile;
  shared: FleetShared;
  /** The apps to run, in the file's order (all of them, or those `only` names). */
  apps: PlannedApp[];
}

/** What the command line sets over the file: the kernel, execution flags, and which apps run. */
export interface FleetOverrides {
  kernel?: string;
  execution?: FleetShared['execution'];
  only?: string[];
}

export async function loadFleet(source: string, overrides: FleetOverrides = {}): Promise<FleetPlan> {
  const text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TinyxError('TINYX_FLEET_INVALID', `Cannot read the fleet file ${source} (${error.code ?? error.message}).`, {
      advice: 'Pass the path of a fleet YAML file (docs/nightly.md has an example).', cause: error,
    });
  });
  const file = parseFleet(text, source);
  const names = file.apps.map((a) => a.name);
  for (const name of overrides.only ?? []) {
    if (!names.includes(name)) {
      throw new TinyxError('TINYX_USAGE', `--only ${name}: the fleet file has no app of that name${didYouMean(name, names)}.`, { advice: `Its apps: ${names.join(', ')}.` });
    }
  }
  const shared: FleetShared = { kernel: overrides.kernel ?? file.kernel, execution: { ...file.execution, ...overrides.execution } };
  await checkExecution(file.source, shared.execution);
  // Every app is checked, the ones --only leaves out too: the file is one thing.
  const problems: string[] = [];
  const apps: PlannedApp[] = [];
  for (const app of file.apps) {
    const argv = appArgv(app, shared);
    const split = argv.indexOf('--');
    try {
      const { values } = parseFlags(MINIMIZE_FLAGS, argv.slice(0, split));
      const options = await optionsFromFlags(values, argv.slice(split + 1));
      checkRequest(options);
      if (!overrides.only?.length || overrides.only.includes(app.name)) apps.push({ app, options });
    } catch (error) {
      if (!isFlagError(error)) throw error;
      problems.push(`line ${app.line}: apps.${app.name}: ${error.message.replace(/\n/g, '\n    ')}`);
    }
  }
  if (problems.length > 0) {
    throw new TinyxError('TINYX_FLEET_INVALID', `Fleet file ${file.source} is invalid:\n  ${problems.join('\n  ')}`, {
      advice: 'Each app\'s keys mean what the `tinyx minimize` flags of the same names mean (see tinyx minimize --help).',
    });
  }
  return { file, shared, apps };
}

/** The execution flags every app shares (workers, distcc, slots), checked once: one problem, not one per app. */
async function checkExecution(source: string, execution: FleetShared['execution']): Promise<void> {
  try {
    await executionFromFlags(parseFlags(MINIMIZE_FLAGS, flagArgv(execution)).values);
  } catch (error) {
    if (!isFlagError(error)) throw error;
    throw new TinyxError('TINYX_FLEET_INVALID', `Fleet file ${source} is invalid:\n  execution (the file's, with the command line's flags over it): ${error.message.replace(/\n/g, '\n    ')}`, {
      advice: 'The execution keys mean what the `tinyx minimize` flags of the same names mean (see tinyx minimize --help).',
    });
  }
}

/** A refusal of a value (tinyx's, or the flag parser's), as opposed to a bug. */
function isFlagError(error: unknown): error is Error {
  return isTinyxError(error) || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
}
