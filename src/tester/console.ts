// A guest's serial console as it streams in: kept as text, copied to a log, matched line by line.
import type { LogFile } from './logfile.js';

export interface ConsoleMatch {
  line: string;
  pattern: RegExp;
  /** When the line arrived (epoch ms): what boot timings are measured with. */
  at: number;
}

export class ConsoleWatcher {
  private text = '';
  private pending = '';
  /** The complete lines so far, each with when it arrived. */
  private readonly lines: { line: string; at: number }[] = [];
  private closed = false;
  private readonly waiters = new Set<(line: string | undefined, at: number) => void>();

  constructor(private readonly log: LogFile) {}

  /** Everything the guest printed so far. */
  get all(): string {
    return this.text;
  }

  /** Whether the stream has ended. */
  get ended(): boolean {
    return this.closed;
  }

  feed(chunk: Buffer): void {
    this.log.write(chunk);
    const piece = chunk.toString('latin1');
    this.text += piece;
    this.pending += piece;
    const lines = this.pending.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    const at = Date.now();
    for (const line of lines) this.notify(line, at);
  }

  /** The stream ended: flush the last partial line, wake every waiter, close the log. */
  close(): Promise<void> {
    this.closed = true;
    if (this.pending) this.notify(this.pending, Date.now());
    this.notify(undefined, Date.now());
    return this.log.end();
  }

  /** The first line (seen already or to come) matching one of `patterns`; undefined on timeout or end. */
  waitFor(patterns: RegExp[], timeoutMs: number): Promise<ConsoleMatch | undefined> {
    return new Promise((resolve) => {
      const match = (line: string, at: number) => {
        const pattern = patterns.find((p) => p.test(line));
        return pattern ? { line, pattern, at } : undefined;
      };
      const finish = (result: ConsoleMatch | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(onLine);
        resolve(result);
      };
      const onLine = (line: string | undefined, at: number) => {
        if (line === undefined) return finish(undefined);
        const found = match(line, at);
        if (found) finish(found);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      for (const seen of [...this.lines, { line: this.pending, at: Date.now() }]) {
        const found = match(seen.line, seen.at);
        if (found) return finish(found);
      }
      if (this.closed) return finish(undefined);
      this.waiters.add(onLine);
    });
  }

  private notify(line: string | undefined, at: number): void {
    if (line !== undefined) this.lines.push({ line, at });
    for (const waiter of [...this.waiters]) waiter(line, at);
  }
}
