// An app's earlier results: copied into <out>/history/<when it passed>/ before a new one replaces them, pruned to the last N.
import { copyFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { exists } from '../util/fsx.js';
import { FINGERPRINT_FILE } from './fingerprint.js';

export const HISTORY_DIR = 'history';
/** What a history entry keeps of a result: its configs and report (what --from and the summary read), its cmdline, run.json and fingerprint. */
export const HISTORY_FILES = ['config', 'defconfig', 'report.json', 'cmdline', 'run.json', FINGERPRINT_FILE] as const;
/** `2025-01-31T03-00-12Z`, maybe with `-2`: folder names that sort as the times they name. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?$/;

/** Pure: a time as a folder name (UTC, to the second, no colons). */
export function stampOf(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** The history entries of an out dir, oldest first. */
export async function historyEntries(out: string): Promise<string[]> {
  const names = await readdir(path.join(out, HISTORY_DIR)).catch(() => [] as string[]);
  return names.filter((n) => STAMP.test(n)).sort(compareStamps);
}

/** Pure: the entries to remove so that the newest `keep` stay (entries oldest first). */
export function entriesToPrune(entries: readonly string[], keep: number): string[] {
  const sorted = [...entries].sort(compareStamps);
  return sorted.slice(0, Math.max(0, sorted.length - keep));
}

/**
 * Copies the result in `out` into history/<stamp of passedAt>/ and returns that folder; a folder
 * that already holds this result (same report.json: an earlier attempt to replace it failed) is
 * reused. Written under a temporary name and renamed, so an entry is whole or absent.
 */
export async function archiveResult(out: string, passedAt: Date): Promise<string> {
  const report = await readFile(path.join(out, 'report.json'), 'utf8');
  const base = stampOf(passedAt);
  for (let n = 1; ; n++) {
    const dir = path.join(out, HISTORY_DIR, n === 1 ? base : `${base}-${n}`);
    if (await exists(dir)) {
      if ((await readFile(path.join(dir, 'report.json'), 'utf8').catch(() => undefined)) === report) return dir;
      continue;
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const name of HISTORY_FILES) {
      if (await exists(path.join(out, name))) await copyFile(path.join(out, name), path.join(tmp, name));
    }
    await rename(tmp, dir);
    return dir;
  }
}

/** Removes all but the newest `keep` entries; returns the names removed. */
export async function pruneHistory(out: string, keep: number): Promise<string[]> {
  const gone = entriesToPrune(await historyEntries(out), keep);
  for (const name of gone) await rm(path.join(out, HISTORY_DIR, name), { recursive: true, force: true });
  return gone;
}

function compareStamps(a: string, b: string): number {
  const [baseA, nA] = splitStamp(a);
  const [baseB, nB] = splitStamp(b);
  return baseA === baseB ? nA - nB : baseA < baseB ? -1 : 1;
}

function splitStamp(name: string): [string, number] {
  const m = /^(.*Z)(?:-(\d+))?$/.exec(name);
  return [m?.[1] ?? name, Number(m?.[2] ?? 1)];
}
