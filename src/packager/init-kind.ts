// Which init the guest gets: tinyx's own (a small static program, no shell) or BusyBox's (init, sh, applets).
import path from 'node:path';
import type { Manifest } from '../deps/manifest.js';
import { TinyxError } from '../errors.js';
import { isElfFile } from '../deps/elf.js';

/** `tinyx`: /init is tinyx-init.c, the guest has no shell or BusyBox; `busybox`: BusyBox init runs the generated rc. */
export type InitKind = 'busybox' | 'tinyx';
/** What the user asks for: `auto` picks by the app. */
export type InitChoice = 'auto' | InitKind;
export const INIT_CHOICES: readonly InitChoice[] = ['auto', 'tinyx', 'busybox'];

/** `--init`'s value. */
export function parseInitChoice(text: string): InitChoice {
  if ((INIT_CHOICES as readonly string[]).includes(text)) return text as InitChoice;
  throw new TinyxError('TINYX_USAGE', `--init must be one of ${INIT_CHOICES.join(', ')}, received "${text}".`);
}

export interface InitDecision {
  kind: InitKind;
  choice: InitChoice;
  reason: string;
}

/** Programs whose use shows the app runs shell commands (system(), popen()) and so may want applets too. */
const SHELLS = new Set(['sh', 'ash', 'dash', 'bash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** What the choice looks at: the app's entry, and the shells the --trace run saw it use. */
export interface InitFacts {
  entryIsElf: boolean;
  tracedShells: string[];
}

/** Pure: `auto` is tinyx's init for an ELF entry that the trace did not see run a shell, BusyBox otherwise. */
export function decideInit(choice: InitChoice, facts: InitFacts): InitDecision {
  if (choice !== 'auto') {
    return { kind: choice, choice, reason: choice === 'tinyx' ? '--init tinyx: tinyx\'s own init, no shell or BusyBox in the guest' : '--init busybox: BusyBox init runs the generated rc' };
  }
  if (!facts.entryIsElf) return { kind: 'busybox', choice, reason: 'the app is a script, not an ELF executable: BusyBox init, sh and applets stay' };
  if (facts.tracedShells.length > 0) {
    return { kind: 'busybox', choice, reason: `the --trace run saw the app use ${facts.tracedShells.join(', ')}: BusyBox (sh and applets) stays` };
  }
  return { kind: 'tinyx', choice, reason: 'the app is an ELF executable: tinyx\'s own init, no shell or BusyBox in the guest' };
}

/** Reads the facts off the manifest (the entry's first bytes, the entries the trace added) and decides. */
export async function chooseInit(choice: InitChoice, manifest: Manifest): Promise<InitDecision> {
  const tracedShells = manifest.entries
    .filter((e) => e.reason.includes('at run time (strace)') && SHELLS.has(path.posix.basename(e.guestPath)))
    .map((e) => e.guestPath);
  return decideInit(choice, { entryIsElf: await isElfFile(manifest.app.hostPath), tracedShells });
}
