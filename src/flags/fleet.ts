// The flags of `tinyx fleet`: its own, and minimize's execution flags (shared by every app) with the fleet file as their default.
import type { Flag, Flags } from './flag.js';
import { EXECUTION_KEYS, MINIMIZE_FLAGS } from './minimize.js';

export const FLEET_USAGE = `Usage: tinyx fleet run FLEET.yaml [--out DIR] [--only NAME]... [--keep-history N] [--kernel-src SRC] [options]
       tinyx fleet check FLEET.yaml [--only NAME]...

run: minimizes each app of the fleet file (or those --only names), one after another, into
DIR/<app>/ (what tinyx minimize writes), sharing the cache, the knowledge of earlier runs, the build
slots and any workers. An app whose inputs (binary and files, tests, profile, kernel tree, options)
are those of its last passing result gets one confirming boot and no build: "unchanged". Any other
is searched again starting from its last result (--from), which is kept in DIR/<app>/history/.
DIR/summary.json and DIR/summary.md say what changed. A lock keeps a second run out of DIR.
check: reads the fleet file and every app's options, and lists the apps; nothing is run.
Exit status: 0 when every app passed, 1 when any failed, 2 for usage (flags, the fleet file, an
out dir that a running fleet run holds). docs/nightly.md has a fleet file, a cron entry and a
systemd timer.
`;

/** The fleet's own flags. */
export const FLEET_OWN_FLAGS = {
  out: {
    type: 'string', value: 'DIR', defaultText: 'the fleet file\'s `out`, else `out/<fleet file name>`',
    help: 'the fleet\'s out dir: `<app>/` for each app, `summary.json`, `summary.md`, the lock',
  },
  only: {
    type: 'string', multiple: true, value: 'NAME',
    help: 'run only this app of the fleet file (`NAME,NAME` works too); the others keep their results',
  },
  'keep-history': {
    type: 'string', value: 'N', defaultText: 'the fleet file\'s `keep-history`, else `7`',
    help: 'earlier results each app keeps in `<app>/history/` (config, defconfig, report.json)',
  },
  'kernel-src': {
    type: 'string', value: 'SRC', defaultText: 'the fleet file\'s `kernel`, else each app\'s profile\'s `kernel.source`',
    help: 'kernel every app runs on: a tree, a .tar.xz or a linux-source package; on a new one every app is searched again, its last options the first guess',
  },
} as const satisfies Flags;

/** minimize's execution flags, for every app at once: the same definitions, defaulting to the fleet file's `execution` section. */
export const FLEET_EXECUTION_FLAGS: Flags = Object.fromEntries(EXECUTION_KEYS.map((name) => {
  const { default: fallback, defaultText, ...flag } = (MINIMIZE_FLAGS as Flags)[name]!;
  const otherwise = fallback !== undefined ? `, else \`${fallback}\`` : defaultText ? `, else ${defaultText}` : '';
  return [name, { ...flag, defaultText: `the fleet file's \`execution.${name}\`${otherwise}` } satisfies Flag];
}));

export const FLEET_FLAGS: Flags = { ...FLEET_OWN_FLAGS, ...FLEET_EXECUTION_FLAGS };
