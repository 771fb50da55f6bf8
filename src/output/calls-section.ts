// report.json's `calls` and report.md's section on them: what the app's binaries can call, what the start config gained for it, and what the search removed that they can reach.
import { callsNeeding, optionsNeeded } from '../syscalls/needs.js';

/** An option and the calls (or features: `/proc`, a socket family) that need it. */
export interface OptionCalls {
  option: string;
  calls: string[];
}

export interface CallsReport {
  /** How many syscalls the app's binaries can reach, and (with --trace) how many the trace saw. */
  reachable: number;
  traced?: number;
  /** Options the profile leaves off that the start config gained, as the app's calls need them. */
  startAdded: OptionCalls[];
  /** Options removed from the final config that a syscall the binaries can reach needs: the places the tests do not cover. `traced`: the trace saw one of its calls. */
  reachableRemoved: (OptionCalls & { traced: boolean })[];
  /** --keep-reachable: every option the reachable calls need was kept. */
  keepReachable: boolean;
  /** With --keep-reachable: those options, which no search tried (`tinyx verify` tries them neither). */
  kept?: string[];
}

/** The section: the counts, what the start gained, and the removed options the binaries can still reach. */
export function callsSection(c: CallsReport): string[] {
  const list = (rows: OptionCalls[]) => rows.map((r) => `\`${r.option}\` (${r.calls.join(', ')})`).join(', ');
  return [
    '## What the app can call',
    '',
    `The app's binaries can reach ${c.reachable} syscalls${c.traced !== undefined ? `; the --trace run saw ${c.traced}` : ''}.`,
    ...(c.startAdded.length ? [`The start config gained what they need and the profile leaves off: ${list(c.startAdded)}.`] : []),
    c.keepReachable
      ? 'Every option they need was kept (--keep-reachable).'
      : c.reachableRemoved.length
        ? `Removed, although the binaries can reach a call that needs it (the tests passed without it: a path they do not cover; --keep-reachable keeps these): ${list(c.reachableRemoved)}.`
        : 'No option a reachable call needs was removed.',
    '',
  ];
}

/** Pure: the report from what the calls need, what the start gained and what the search removed. */
export function callsReport(input: {
  reachable: ReadonlyMap<string, readonly string[]>; traced?: readonly string[]; reachableOptions: ReadonlyMap<string, readonly string[]>;
  usedOptions: ReadonlyMap<string, readonly string[]>; startAdded: readonly string[]; removed: readonly string[]; keepReachable: boolean;
}): CallsReport {
  const traced = new Set(input.traced ?? []);
  const removed = new Set(input.removed);
  return {
    reachable: input.reachable.size, ...(input.traced ? { traced: input.traced.length } : {}),
    startAdded: input.startAdded.map((option) => ({ option, calls: callsNeeding(input, option) })),
    reachableRemoved: [...input.reachableOptions.keys()].filter((o) => removed.has(o)).sort()
      .map((option) => ({ option, calls: [...input.reachableOptions.get(option)!], traced: input.reachableOptions.get(option)!.some((c) => traced.has(c)) })),
    keepReachable: input.keepReachable,
    ...(input.keepReachable ? { kept: optionsNeeded(input).sort() } : {}),
  };
}
