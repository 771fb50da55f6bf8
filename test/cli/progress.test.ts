// Plain progress lines (stderr not a terminal): rounds, builds and their objects, verdicts with the time left.
import { describe, expect, it } from 'vitest';
import { progressListener } from '../../src/cli/progress.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import type { Verdict } from '../../src/tester/verdict.js';

const verdict = (label: string, costs: Partial<Verdict>, counts: { evaluations: number; builds: number }, fromJournal = false): MinimizeEvent => ({
  type: 'verdict', label, fromJournal, ...counts,
  verdict: { status: 'pass', reason: 'tests passed', configHash: 'h', cmdline: '', built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '', ...costs },
});

describe('progressListener without a terminal', () => {
  it('prints rounds, builds, their progress once a minute, and verdicts with the time left', () => {
    const err: string[] = [];
    let clock = 0;
    const { listener, stop } = progressListener({ stdout: () => undefined, stderr: (t) => err.push(t), interactive: false }, { now: () => clock });
    const at = (seconds: number, event: MinimizeEvent) => {
      clock = seconds * 1000;
      listener(event);
    };
    at(0, { type: 'stage', stage: 'kernel-search', message: 'searching the kernel config' });
    at(0, { type: 'round', round: 1, candidates: ['A', 'B', 'C'], removedBefore: 0 });
    at(0, { type: 'tests-planned', tests: 3, parallel: 1 });
    at(1, { type: 'evaluate', label: '-A', phase: 'build', done: 0 });
    at(3, { type: 'build-progress', label: '-A', compiled: 100, expected: 2000 });
    at(62, { type: 'build-progress', label: '-A', compiled: 1200, expected: 2000 });
    at(64, { type: 'build-progress', label: '-A', compiled: 1250, expected: 2000 });
    at(91, { type: 'build-progress', label: '-A', compiled: 1900, expected: 2000 });
    at(91, { type: 'evaluate', label: '-A', phase: 'boot', done: 0 });
    at(101, verdict('-A', { buildMs: 90_000, bootMs: 6_000, testMs: 4_000 }, { evaluations: 1, builds: 1 }));
    at(101, verdict('-B', { built: false }, { evaluations: 2, builds: 1 }, true));
    at(102, { type: 'evaluate', label: '-C', phase: 'build', done: 2 });
    at(130, { type: 'build-progress', label: '-C', compiled: 40 });
    at(132, { type: 'evaluate', label: '-C', phase: 'boot', done: 2 });
    at(142, verdict('-C', { status: 'fail', reason: 'test exit 1', buildMs: 30_000, bootMs: 6_000, testMs: 4_000 }, { evaluations: 3, builds: 2 }));
    // Bisect: the number of tests left is unknown, so only the means.
    at(150, { type: 'round', round: 2, candidates: ['D'], removedBefore: 2 });
    at(151, { type: 'evaluate', label: '-D', phase: 'boot', done: 3 });
    at(160, verdict('-D', { built: false, bootMs: 5_000, testMs: 4_000 }, { evaluations: 4, builds: 2 }));
    stop();
    expect(err.join('')).toBe([
      '[00:00] == searching the kernel config',
      '[00:00]    round 1: 3 candidates',
      '[00:01]    build -A',
      '[01:02]    build -A: 1200 of ~2000 objects compiled',
      '[01:31]    boot  -A',
      '[01:41]    pass         -A (built 90 s, 1900 objects, boot+test 10.0 s; 1 builds, 1 evaluations); ~3 min left',
      '[01:41]    pass         -B (journal, boot+test 0.0 s; 1 builds, 2 evaluations); ~2 min left',
      '[01:42]    build -C',
      '[02:12]    boot  -C',
      '[02:22]    fail         -C (built 30 s, 40 objects, boot+test 10.0 s; 2 builds, 3 evaluations); ~1 min a build, ~10 s boot+test',
      '[02:30]    round 2: 1 option became a candidate once 2 were removed: D',
      '[02:31]    boot  -D',
      '[02:40]    pass         -D (cached kernel, boot+test 9.0 s; 2 builds, 4 evaluations); ~1 min a build, ~10 s boot+test',
      '',
    ].join('\n'));
  });
});
