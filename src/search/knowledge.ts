// The knowledge file: what finished runs of a profile needed, per app, for the next run's first guess.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tryLockFile, writeFileAtomic } from '../util/fsx.js';

/** One finished run: the app, the kernel it ran on, and each candidate it kept because removing it failed. */
export interface KnowledgeRun {
  /** The app's path on this host (a later run of the same app replaces this entry). */
  app: string;
  kernelVersion: string;
  finishedAt: string;
  /** Kept options, each with the verdict of removing it alone. */
  needed: { option: string; verdict: string }[];
}

/**
 * Pure: what a finished search found needed: each kept candidate that is no no-op (forced back on)
 * and not kept for growing the config, with the verdict of removing it. Also read off report.json
 * (its kept, noops and keptReasons) by scripts/learn-prior.mjs.
 */
export function neededOptions(kept: readonly string[], noops: readonly string[], reasons: Readonly<Record<string, string>>): KnowledgeRun['needed'] {
  const forced = new Set(noops);
  return kept
    .filter((n) => !forced.has(n) && !(reasons[n] ?? '').startsWith('grows'))
    .map((option) => ({ option, verdict: reasons[option] ?? 'kept by the search' }));
}

interface KnowledgeFile {
  version: 1;
  profile: string;
  runs: KnowledgeRun[];
}

/** `<cache>/knowledge/<profile>.json`. */
export function knowledgeFile(cacheDir: string, profile: string): string {
  return path.join(cacheDir, 'knowledge', `${profile.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

/**
 * The runs the file holds; none when it is missing. A file that cannot be read as one (torn by
 * hand, another format) is ignored, and `warn` says so: the guess is only an ordering of work.
 */
export async function readKnowledge(file: string, warn: (message: string) => void): Promise<KnowledgeRun[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    warn(`cannot read the knowledge file ${file} (${(error as Error).message}); the first guess goes without it`);
    return [];
  }
  const runs = parseKnowledge(text);
  if (!runs) warn(`the knowledge file ${file} is not one tinyx wrote; ignored (a finished run rewrites it)`);
  return runs ?? [];
}

/** Pure: the runs of a knowledge file's text, or undefined when the text is not one. */
export function parseKnowledge(text: string): KnowledgeRun[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = data as Partial<KnowledgeFile> | null;
  if (!file || file.version !== 1 || !Array.isArray(file.runs)) return undefined;
  const valid = file.runs.every((r) => r && typeof r.app === 'string' && typeof r.kernelVersion === 'string' && Array.isArray(r.needed)
    && r.needed.every((n) => n && typeof n.option === 'string' && typeof n.verdict === 'string'));
  return valid ? file.runs : undefined;
}

/**
 * Adds a finished run, replacing an earlier one of the same app and kernel version. Only a run
 * that wrote its result calls this, so an interrupted or failed run leaves the file as it was.
 * Writers take turns on a lock beside the file; readers see the old or the new file whole.
 */
export async function recordKnowledge(file: string, profile: string, run: KnowledgeRun): Promise<void> {
  const lock = `${file}.lock`;
  for (let waited = 0; !(await tryLockFile(lock)); waited += 100) {
    if (waited >= 30_000) throw new Error(`the knowledge file's lock ${lock} stayed held for 30 s`);
    await sleep(100);
  }
  try {
    const runs = (await readKnowledge(file, () => undefined)).filter((r) => !(r.app === run.app && r.kernelVersion === run.kernelVersion));
    const data: KnowledgeFile = { version: 1, profile, runs: [...runs, run] };
    await writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n');
  } finally {
    await rm(lock, { force: true });
  }
}
