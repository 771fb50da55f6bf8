// Shows a minimize run's events: an ora spinner on a terminal, plain timestamped lines otherwise.
import ora, { type Ora } from 'ora';
import type { MinimizeEvent } from '../search/events.js';
import { describeEstimate, emptyTally, tally, type Tally } from './eta.js';
import type { CliIo } from './io.js';

/** Without a terminal, a build's progress gets a line at most this often. */
const PLAIN_PROGRESS_MS = 60_000;

/** A job in flight: what it does, how far its build has got, when plain output last said so. */
interface Job {
  phase: 'build' | 'boot';
  compiled?: number;
  expected?: number;
  shownAt: number;
}

/**
 * stderr as ora sees it: never 0 columns wide. ora divides each frame's width by the terminal's on
 * every render and then clears that many lines in a loop, so a terminal resized to 0 columns mid-run
 * would hold the process in that loop for good, signals unhandled.
 */
function spinnerStream(stderr: NodeJS.WriteStream): NodeJS.WritableStream {
  const view = {
    isTTY: true,
    get columns() {
      return stderr.columns > 0 ? stderr.columns : 80;
    },
    get rows() {
      return stderr.rows;
    },
    write: (chunk: string) => stderr.write(chunk),
    cursorTo: (x: number) => stderr.cursorTo(x),
    moveCursor: (dx: number, dy: number) => stderr.moveCursor(dx, dy),
    clearLine: (direction: -1 | 0 | 1) => stderr.clearLine(direction),
    once: (event: string, listener: () => void) => stderr.once(event, listener),
    removeListener: (event: string, listener: () => void) => stderr.removeListener(event, listener),
  };
  return view as unknown as NodeJS.WritableStream;
}

const objects = (job: Job) =>
  job.compiled === undefined ? '' : `${job.compiled}${job.expected ? ` of ~${job.expected}` : ''} objects compiled`;

/** `now`: the clock (tests pass their own); `clock`: what each line opens with in brackets (default: mm:ss since the start). */
export function progressListener(io: CliIo, options: { now?: () => number; clock?: () => string } = {}): { listener: (e: MinimizeEvent) => void; stop: () => void } {
  const now = options.now ?? Date.now;
  const began = now();
  const clock = options.clock ?? (() => {
    const s = Math.round((now() - began) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  });
  let spinner: Ora | undefined;
  const line = (text: string) => {
    if (spinner) spinner.stopAndPersist({ symbol: ' ', text: `[${clock()}] ${text}` });
    else io.stderr(`[${clock()}] ${text}\n`);
    if (spinner) spinner.start();
  };
  let stage = '';
  let round: number | undefined;
  let costs: Tally = emptyTally;
  const jobs = new Map<string, Job>();
  /** The spinner: the round, each job in flight, the time left. */
  const refresh = () => {
    if (!io.interactive) return;
    const doing = [...jobs].map(([label, job]) => {
      const far = objects(job);
      return `${job.phase === 'build' ? 'building' : 'booting'} ${label}${far ? ` (${far})` : ''}`;
    });
    const text = [round ? `round ${round}` : undefined, doing.join(', ') || stage, describeEstimate(costs)].filter(Boolean).join(' · ');
    // The terminal keeps its own Ctrl-C: ora's stdin discarding turns it off (raw mode) and, with stdin
    // never read, passes on no Ctrl-C either.
    spinner ??= ora({ stream: spinnerStream(process.stderr), discardStdin: false }).start();
    spinner.text = `[${clock()}] ${text}`;
  };
  const listener = (event: MinimizeEvent) => {
    costs = tally(costs, event);
    switch (event.type) {
      case 'stage':
        stage = event.message;
        round = undefined;
        jobs.clear();
        line(`== ${event.message}`);
        break;
      case 'evaluate': {
        const job = jobs.get(event.label);
        if (job) job.phase = event.phase;
        else jobs.set(event.label, { phase: event.phase, shownAt: now() });
        if (!io.interactive) line(`   ${event.phase === 'build' ? 'build' : 'boot '} ${event.label}`);
        break;
      }
      case 'build-progress': {
        const job = jobs.get(event.label) ?? { phase: 'build', shownAt: now() };
        jobs.set(event.label, Object.assign(job, { compiled: event.compiled, expected: event.expected }));
        if (!io.interactive && now() - job.shownAt >= PLAIN_PROGRESS_MS) {
          job.shownAt = now();
          line(`   build ${event.label}: ${objects(job)}`);
        }
        break;
      }
      case 'verdict': {
        const v = event.verdict;
        const compiled = jobs.get(event.label)?.compiled;
        // The job, and its confirmation or retry ("label (confirming)", "label (again)"), are done.
        for (const label of jobs.keys()) if (label === event.label || label.startsWith(`${event.label} (`)) jobs.delete(label);
        const how = event.fromJournal ? 'journal'
          : v.built ? `built ${Math.round(v.buildMs / 1000)} s${compiled === undefined ? '' : `, ${compiled} objects`}` : 'cached kernel';
        const left = describeEstimate(costs);
        line(`   ${v.status.padEnd(12)} ${event.label} (${how}, boot+test ${((v.bootMs + v.testMs) / 1000).toFixed(1)} s; ${event.builds} builds, ${event.evaluations} evaluations)${left ? `; ${left}` : ''}`);
        break;
      }
      case 'round': {
        round = event.round;
        const shown = event.candidates.length <= 12 ? event.candidates.join(', ') : `${event.candidates.slice(0, 12).join(', ')}, ...`;
        line(event.round === 1
          ? `   round 1: ${event.candidates.length} candidates`
          : event.guessKept ? `   round ${event.round}: the ${event.candidates.length} candidates the first guess kept: ${shown}`
          : `   round ${event.round}: ${event.candidates.length === 1 ? '1 option became a candidate' : `${event.candidates.length} options became candidates`} once ${event.removedBefore} were removed: ${shown}`);
        break;
      }
      case 'info':
        line(`   ${event.message}`);
        break;
      case 'warning':
        line(`   warning: ${event.message}`);
        break;
    }
    refresh();
  };
  return { listener, stop: () => spinner?.stop() };
}
