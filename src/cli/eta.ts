// Time left of a minimize run, estimated from its events: what the evaluations so far cost, and the tests left when known.
import type { MinimizeEvent } from '../search/events.js';

/** What the estimate rests on; built up one event at a time by `tally`. */
export interface Tally {
  /** Evaluations run this session (journal verdicts cost nothing and are not counted). */
  ran: number;
  /** How many of them built a kernel, and the time their builds took. */
  built: number;
  buildMs: number;
  /** Their boot and test time. */
  bootTestMs: number;
  /** Tests left in what runs now, when the search said (a `tests-planned` event); unknown otherwise. */
  left?: number;
  /** Tests run at once. */
  parallel: number;
}

export const emptyTally: Tally = { ran: 0, built: 0, buildMs: 0, bootTestMs: 0, parallel: 1 };

export function tally(t: Tally, event: MinimizeEvent): Tally {
  switch (event.type) {
    case 'stage':
    case 'round':
      return { ...t, left: undefined };
    case 'tests-planned':
      return { ...t, left: event.tests, parallel: Math.max(1, event.parallel) };
    case 'verdict': {
      // More verdicts than planned (a speculative test discarded and run again): unknown again.
      const left = t.left !== undefined && t.left > 1 ? t.left - 1 : undefined;
      if (event.fromJournal) return { ...t, left };
      const v = event.verdict;
      return {
        ...t, left, ran: t.ran + 1,
        built: t.built + (v.built ? 1 : 0), buildMs: t.buildMs + (v.built ? v.buildMs : 0), bootTestMs: t.bootTestMs + v.bootMs + v.testMs,
      };
    }
    default:
      return t;
  }
}

export interface Estimate {
  /** Mean time of a build, over the evaluations that built. */
  meanBuildMs?: number;
  /** Mean boot and test time of an evaluation. */
  meanBootTestMs?: number;
  /** Time the tests left take, at the mean cost of an evaluation so far (cached kernels included), `parallel` at once. */
  leftMs?: number;
}

export function estimate(t: Tally): Estimate {
  if (t.ran === 0) return {};
  const meanCost = (t.buildMs + t.bootTestMs) / t.ran;
  return {
    ...(t.built > 0 ? { meanBuildMs: t.buildMs / t.built } : {}),
    meanBootTestMs: t.bootTestMs / t.ran,
    ...(t.left !== undefined ? { leftMs: Math.ceil(t.left / t.parallel) * meanCost } : {}),
  };
}

/** `~12 min left` when the tests left are known, else the means (`~3 min a build, ~40 s boot+test`); undefined before any evaluation. */
export function describeEstimate(t: Tally): string | undefined {
  const e = estimate(t);
  if (e.leftMs !== undefined) return `~${duration(e.leftMs)} left`;
  if (e.meanBootTestMs === undefined) return undefined;
  return [e.meanBuildMs !== undefined ? `~${duration(e.meanBuildMs)} a build` : undefined, `~${duration(e.meanBootTestMs)} boot+test`]
    .filter(Boolean).join(', ');
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 100 * 60) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
