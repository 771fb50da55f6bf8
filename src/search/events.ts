// Events the minimizer emits; the CLI's spinner, logs and reports are listeners.
import type { Verdict } from '../tester/verdict.js';

export type Stage =
  | 'inputs' | 'deps' | 'initramfs' | 'start-config' | 'sanity' | 'candidates'
  | 'kernel-trace' | 'kernel-search' | 'cmdline-search' | 'verify' | 'output';

export type MinimizeEvent =
  | { type: 'stage'; stage: Stage; message: string }
  | { type: 'evaluate'; label: string; phase: 'build' | 'boot'; done: number; total?: number }
  | { type: 'verdict'; label: string; verdict: Verdict; fromJournal: boolean; evaluations: number; builds: number }
  /** A round of the kernel search starts: round 1 the start config's candidates, later ones what earlier removals freed. */
  | { type: 'round'; round: number; candidates: string[]; removedBefore: number }
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string };

export type EventListener = (event: MinimizeEvent) => void;
