// The run journal: every verdict appended as it happens (one JSON line, fsynced), replayed on resume.
import { appendFile, mkdir, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Verdict } from '../tester/verdict.js';

export interface JournalEntry {
  key: string;
  label: string;
  verdict: Verdict;
  at: string;
}

export class Journal {
  private readonly entries = new Map<string, JournalEntry>();

  private constructor(readonly file: string) {}

  /**
   * Open (and replay) the journal in `dir`. A torn last line from a crash is cut off, so the next
   * record starts a line of its own instead of being glued to the torn one (and lost with it).
   */
  static async open(dir: string): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const journal = new Journal(path.join(dir, 'journal.jsonl'));
    const bytes = await readFile(journal.file).catch(() => Buffer.alloc(0));
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete < bytes.length) await truncate(journal.file, complete);
    for (const line of bytes.subarray(0, complete).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (entry.key && entry.verdict) journal.entries.set(entry.key, entry);
      } catch {
        // A corrupt line: that candidate is simply evaluated again.
      }
    }
    return journal;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Verdict | undefined {
    return this.entries.get(key)?.verdict;
  }

  /** When the verdict of `key` was journaled (ISO time). */
  recordedAt(key: string): string | undefined {
    return this.entries.get(key)?.at;
  }

  async record(key: string, label: string, verdict: Verdict): Promise<void> {
    const entry: JournalEntry = { key, label, verdict, at: new Date().toISOString() };
    this.entries.set(key, entry);
    await appendFile(this.file, JSON.stringify(entry) + '\n');
    const handle = await open(this.file, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
