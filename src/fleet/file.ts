// The fleet file: each app as `tinyx minimize`'s flags in YAML, fleet-wide defaults, the kernel; every problem with its line.
import path from 'node:path';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import type { Flag } from '../flags/flag.js';
import { EXECUTION_KEYS, MINIMIZE_FLAGS } from '../flags/minimize.js';
import { TinyxError } from '../errors.js';
import { PACKAGE_NAME } from '../kconfig/tarball.js';
import { LOCK_FILE } from './lock.js';
import { describe, Reader, type FlagValue } from './reader.js';
import { SUMMARY_FILES } from './summary.js';

export interface FleetApp {
  name: string;
  /** The line of its name in the file. */
  line: number;
  /** Its minimize flags by name, the defaults' under its own; paths made absolute against the file's folder. */
  flags: Record<string, FlagValue>;
  /** The app's own arguments (what follows `--` on minimize's command line). */
  args: string[];
}

export interface FleetFile {
  /** The file, absolute. */
  source: string;
  /** The kernel every app runs on (as `--kernel-src` takes it); else each app's profile's kernel.source. */
  kernel?: string;
  out?: string;
  keepHistory?: number;
  /** Where candidates are built and booted, for every app: minimize's execution flags. */
  execution: Record<string, FlagValue>;
  apps: FleetApp[];
}

type FlagName = keyof typeof MINIMIZE_FLAGS;
const FLAGS: Record<string, Flag> = MINIMIZE_FLAGS;

/** minimize's flags that are the fleet's own business: where each app writes, what it starts from, which kernel. */
const FLEET_DECIDES: readonly FlagName[] = ['out', 'from', 'kernel-src'];
/** The keys an app (or `defaults`) may have: minimize's flags but the fleet's and the shared ones, and `args`. */
export const APP_KEYS = [...Object.keys(FLAGS).filter((k) => !FLEET_DECIDES.includes(k as FlagName) && !EXECUTION_KEYS.includes(k)), 'args'];
const TOP_KEYS = ['kernel', 'out', 'keep-history', 'defaults', 'execution', 'apps'];
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The fleet's own files in its out dir, beside the apps' dirs; their temporary and lock-breaking siblings are `<name>.*`. */
const FLEET_FILES: readonly string[] = [...SUMMARY_FILES, LOCK_FILE];

/** Why a flag of minimize's is not an app's key. */
function notPerApp(key: string): string | undefined {
  if (EXECUTION_KEYS.includes(key)) return `${key} is shared by every app: put it under execution (or pass --${key})`;
  if (key === 'kernel-src') return 'the kernel is the fleet\'s: put it at the top level as kernel (or pass --kernel-src)';
  if (key === 'out') return 'the fleet writes each app into <fleet out dir>/<app name>';
  if (key === 'from') return 'the fleet starts each app from its own last result';
  return undefined;
}

/** Parses and checks a fleet file's text; every problem is reported at once, each with its line. */
export function parseFleet(text: string, source: string): FleetFile {
  const file = path.resolve(source);
  const reader = new Reader(text, path.dirname(file));
  const { problems } = reader;
  const top = reader.doc.contents;
  if (top !== null && !isMap(top)) problems.push(`${reader.at(top)}expected a mapping at the top level (apps:, defaults:, ...), received ${describe(top)}`);
  const section = (key: string) => (isMap(top) ? reader.pair(top, key) : undefined);
  if (isMap(top)) reader.unknownKeys(top, TOP_KEYS, 'at the top level');
  const defaults = reader.flagMap(section('defaults'), 'defaults', APP_KEYS, notPerApp);
  const execution = reader.flagMap(section('execution'), 'execution', EXECUTION_KEYS);
  const apps: FleetApp[] = [];
  const appsPair = section('apps');
  if (!appsPair || !isMap(appsPair.value) || appsPair.value.items.length === 0) {
    problems.push(`${appsPair ? reader.at(appsPair.value ?? appsPair.key) : ''}apps: expected a mapping of app names to their minimize keys (app:, tests:, port:, ...), received ${appsPair ? describe(appsPair.value) : 'nothing'}`);
  } else {
    for (const pair of appsPair.value.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const where = `apps.${name}`;
      if (!APP_NAME.test(name)) problems.push(`${reader.at(pair.key)}${where}: an app's name names its out dir: letters, digits, ".", "_" and "-", received "${name}"`);
      else if (FLEET_FILES.some((f) => name === f || name.startsWith(`${f}.`))) {
        problems.push(`${reader.at(pair.key)}${where}: an app's name names its out dir, and "${name}" is the fleet's own (${FLEET_FILES.join(', ')}); name the app otherwise`);
      }
      const own = reader.flagMap(pair as Pair<Node, Node>, where, APP_KEYS, notPerApp);
      const flags = { ...defaults.flags, ...own.flags };
      if ((flags.app === undefined) === (flags.image === undefined)) problems.push(`${reader.at(pair.key)}${where}: needs app: or image: (one of them; its own, or under defaults)`);
      if (flags.tests === undefined) problems.push(`${reader.at(pair.key)}${where}: needs tests: (its own, or under defaults)`);
      apps.push({ name, line: reader.line(pair.key), flags, args: own.args ?? defaults.args ?? [] });
    }
  }
  const kernelNode = section('kernel');
  const kernel = kernelNode ? reader.scalar(kernelNode, 'kernel') : undefined;
  const outNode = section('out');
  const out = outNode ? reader.scalar(outNode, 'out') : undefined;
  const keepNode = section('keep-history');
  const keep = keepNode ? reader.scalar(keepNode, 'keep-history') : undefined;
  if (keep !== undefined && !/^\d+$/.test(keep)) problems.push(`${reader.at(keepNode!.value)}keep-history: expected a whole number of results to keep, received "${keep}"`);
  if (problems.length > 0) {
    throw new TinyxError('TINYX_FLEET_INVALID', `Fleet file ${file} is invalid:\n  ${problems.join('\n  ')}`, {
      advice: 'Each app takes the names of `tinyx minimize`\'s flags as keys (see tinyx minimize --help, and docs/nightly.md for an example).',
    });
  }
  return {
    source: file, execution: execution.flags, apps,
    ...(kernel !== undefined ? { kernel: PACKAGE_NAME.test(kernel) ? kernel : reader.resolve(kernel) } : {}),
    ...(out !== undefined ? { out: reader.resolve(out) } : {}),
    ...(keep !== undefined ? { keepHistory: Number(keep) } : {}),
  };
}

