// Shows a minimize run's events: an ora spinner on a terminal, plain timestamped lines otherwise.
import ora, { type Ora } from 'ora';
import type { MinimizeEvent } from '../search/events.js';
import type { CliIo } from './io.js';

export function progressListener(io: CliIo): { listener: (e: MinimizeEvent) => void; stop: () => void } {
  const began = Date.now();
  const clock = () => {
    const s = Math.round((Date.now() - began) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  let spinner: Ora | undefined;
  const line = (text: string) => {
    if (spinner) spinner.stopAndPersist({ symbol: ' ', text: `[${clock()}] ${text}` });
    else io.stderr(`[${clock()}] ${text}\n`);
    if (spinner) spinner.start();
  };
  const status = (text: string) => {
    if (io.interactive) {
      spinner ??= ora({ stream: process.stderr }).start();
      spinner.text = `[${clock()}] ${text}`;
    }
  };
  const listener = (event: MinimizeEvent) => {
    switch (event.type) {
      case 'stage':
        line(`== ${event.message}`);
        status(event.message);
        break;
      case 'evaluate':
        if (io.interactive) status(`${event.phase === 'build' ? 'building' : 'booting'} ${event.label} (${event.done} evaluated)`);
        else line(`   ${event.phase === 'build' ? 'build' : 'boot '} ${event.label}`);
        break;
      case 'verdict': {
        const v = event.verdict;
        const how = event.fromJournal ? 'journal' : v.built ? `built ${Math.round(v.buildMs / 1000)} s` : 'cached kernel';
        line(`   ${v.status.padEnd(12)} ${event.label} (${how}, boot+test ${((v.bootMs + v.testMs) / 1000).toFixed(1)} s; ${event.builds} builds, ${event.evaluations} evaluations)`);
        break;
      }
      case 'round': {
        const shown = event.candidates.length <= 12 ? event.candidates.join(', ') : `${event.candidates.slice(0, 12).join(', ')}, ...`;
        line(event.round === 1
          ? `   round 1: ${event.candidates.length} candidates`
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
  };
  return { listener, stop: () => spinner?.stop() };
}
