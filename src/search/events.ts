// Events the minimizer emits; the CLI's spinner, logs and reports are listeners.
import type { Verdict } from '../tester/verdict.js';

export type Stage =
  | 'inputs' | 'deps' | 'initramfs' | 'syscalls' | 'start-config' | 'sanity' | 'candidates' | 'first-guess'
  | 'rootfs' | 'kernel-trace' | 'kernel-search' | 'values' | 'cmdline-search' | 'boot-speed' | 'pvh' | 'verify' | 'memory' | 'compression' | 'output';

export type MinimizeEvent =
  | { type: 'stage'; stage: Stage; message: string }
  | { type: 'evaluate'; label: string; phase: 'build' | 'boot'; done: number; total?: number }
  /** While make runs: objects compiled so far, and about how many a full build compiles (a build in an empty slot only). */
  | { type: 'build-progress'; label: string; compiled: number; expected?: number }
  /**
   * `optionsEnabled`: options =y of the config judged; `at`: when the verdict was reached (ISO time;
   * a verdict replayed from the journal: when it was journaled).
   */
  | { type: 'verdict'; label: string; verdict: Verdict; fromJournal: boolean; evaluations: number; builds: number; optionsEnabled: number; at: string }
  /** A round of the kernel search starts: round 1 the start config's candidates, later ones what earlier removals freed. */
  /** `guessKept`: the round tests what a first guess that held kept. */
  | { type: 'round'; round: number; candidates: string[]; removedBefore: number; guessKept?: boolean }
  /**
   * What starts now runs this many tests, up to `parallel` at once, when the search knows it in
   * advance (a one-at-a-time round: one per candidate that is not a no-op); each verdict counts one
   * down, and the next stage or round forgets it.
   */
  | { type: 'tests-planned'; tests: number; parallel: number }
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string };

export type EventListener = (event: MinimizeEvent) => void;
