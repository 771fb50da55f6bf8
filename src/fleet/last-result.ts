// An app's last result: the one in its out dir, else (a run replacing it failed and took it along) its newest history entry.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { readReport } from '../output/read.js';
import type { Report } from '../output/report.js';
import { exists } from '../util/fsx.js';
import { sha256 } from '../util/hash.js';
import { readFingerprint, type FingerprintRecord } from './fingerprint.js';
import { HISTORY_DIR, historyEntries } from './history.js';

export interface LastResult {
  dir: string;
  /** It is the out dir's own result (bzImage and all), not a history entry (configs and report only). */
  inOut: boolean;
  report: Report;
  config: DotConfig;
  /** Its fingerprint: absent for a result tinyx minimize wrote outside a fleet run (or over the one the fingerprint was written for). */
  fingerprint?: FingerprintRecord;
  /** When it passed: its fingerprint says, else its report.json's time. */
  passedAt: Date;
}

export async function lastResult(out: string): Promise<LastResult | undefined> {
  if (await exists(path.join(out, 'bzImage'))) {
    const own = await readResult(out, true);
    if (own) return own;
  }
  const entries = await historyEntries(out);
  for (const name of entries.reverse()) {
    const entry = await readResult(path.join(out, HISTORY_DIR, name), false);
    if (entry) return entry;
  }
  return undefined;
}

async function readResult(dir: string, inOut: boolean): Promise<LastResult | undefined> {
  try {
    const report = await readReport(dir);
    const config = parseDotConfig(await readFile(path.join(dir, 'config'), 'utf8'));
    const reportHash = sha256(await readFile(path.join(dir, 'report.json'), 'utf8'));
    const written = await readFingerprint(dir);
    const fingerprint = written?.report === reportHash ? written : undefined;
    const passedAt = fingerprint ? new Date(fingerprint.passedAt) : (await stat(path.join(dir, 'report.json'))).mtime;
    return { dir, inOut, report, config, passedAt, ...(fingerprint ? { fingerprint } : {}) };
  } catch {
    return undefined;
  }
}
