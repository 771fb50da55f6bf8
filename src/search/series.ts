// The kernel after each passing test of the search, collected from verdict events (replayed ones too, so a resumed run has the whole series).
import { stat } from 'node:fs/promises';
import type { MinimizeEvent, Stage } from './events.js';

/** One passing test: what it removed (its label), the kernel it booted, and when. */
export interface SeriesPoint {
  label: string;
  configHash: string;
  /** The booted bzImage's size (absent: a verdict journaled before tinyx recorded it, its kernel no longer stored). */
  bzImageBytes?: number;
  optionsEnabled: number;
  /** Seconds from the series' `began` to the verdict. */
  seconds: number;
}

export interface SearchSeries {
  /**
   * When the run began (ISO time): this process's start, or, resuming, the first verdict its
   * journal holds when that is earlier (the earlier process's start is not recorded; the time
   * between the runs is counted).
   */
  began: string;
  /** The start config's verdict first, then each passing test of the kernel search, in the order they were reached. */
  points: SeriesPoint[];
}

/** The stages whose verdicts are the kernel search's: the first guess, the sanity check of the start config, then the search itself. */
const SEARCH_STAGES: ReadonlySet<Stage> = new Set<Stage>(['first-guess', 'sanity', 'kernel-search']);

interface Pass extends Omit<SeriesPoint, 'seconds'> {
  at: number;
}

/**
 * A listener for a run's events. A config judged twice (a later round or the closing check asks
 * again, and the journal answers) counts once; the boot option search, the re-checks and the
 * memory probes are not tests of a kernel config and do not count.
 */
export class SeriesCollector {
  private stage: Stage | undefined;
  private readonly seen = new Set<string>();
  private readonly passes: Pass[] = [];

  readonly listen = (event: MinimizeEvent): void => {
    if (event.type === 'stage') this.stage = event.stage;
    if (event.type !== 'verdict' || !this.stage || !SEARCH_STAGES.has(this.stage) || event.verdict.status !== 'pass') return;
    const { verdict } = event;
    const key = `${verdict.configHash}\n${verdict.cmdline}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.passes.push({
      label: event.label, configHash: verdict.configHash, ...(verdict.bzImageBytes !== undefined ? { bzImageBytes: verdict.bzImageBytes } : {}),
      optionsEnabled: event.optionsEnabled, at: Date.parse(event.at),
    });
  };

  /** The series so far, in the order the verdicts were reached (replayed ones at their journaled time), timed from `began` (ms). */
  series(began: number): SearchSeries {
    const passes = [...this.passes].sort((a, b) => a.at - b.at);
    const from = Math.min(began, ...passes.map((p) => p.at));
    return {
      began: new Date(from).toISOString(),
      points: passes.map(({ at, ...p }) => ({ ...p, seconds: Math.round((at - from) / 100) / 10 })),
    };
  }
}

/** Fills in the sizes a journal from before tinyx recorded them lacks, from the kernels stored by config hash (`bzImageOf`). */
export async function withStoredSizes(series: SearchSeries, bzImageOf: (configHash: string) => string): Promise<SearchSeries> {
  const points = await Promise.all(series.points.map(async (p) => {
    if (p.bzImageBytes !== undefined) return p;
    const size = await stat(bzImageOf(p.configHash)).then((s) => s.size, () => undefined);
    return size === undefined ? p : { ...p, bzImageBytes: size };
  }));
  return { ...series, points };
}
