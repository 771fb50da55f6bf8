// A lock file that names its holder (pid, host, start time, command): refused while the holder runs, taken over once it is gone.
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tryLockFile } from './fsx.js';
import { parseIdentity } from './proc.js';

/** Who holds a lock, as far as its file says (a lock from an older tinyx holds a pid only). */
export interface LockHolder {
  pid: string;
  host?: string;
  /** When it took the lock (ISO time). */
  since?: string;
  command?: string;
}

export interface HeldLock {
  file: string;
  release(): Promise<void>;
}

/**
 * Takes `file`, or says who holds it. The file holds this process's identity (pid, start time and
 * boot id, so a reused pid is not taken for the holder) with the host, the time and the command; a
 * lock whose holder is no longer running on this host is taken over, and `say` tells.
 */
export async function takeLock(file: string, say: (message: string) => void): Promise<HeldLock | { heldBy: LockHolder }> {
  const before = await readFile(file, 'utf8').catch(() => undefined);
  const details = { host: hostname(), since: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 300) };
  if (!(await tryLockFile(file, details))) return { heldBy: lockHolder(await readFile(file, 'utf8').catch(() => before ?? '')) };
  if (before !== undefined) say(`took over the lock ${file}: pid ${lockHolder(before).pid}, which held it, is no longer running`);
  return {
    file,
    release: async () => {
      // Only our own lock: should another run have taken it over meanwhile, it stays.
      if (parseIdentity(await readFile(file, 'utf8').catch(() => ''))?.pid === process.pid) await rm(file, { force: true });
    },
  };
}

/** What a lock file says of its holder: `{"pid": N, "host": ..., ...}` as tinyx writes it, or a bare pid. */
export function lockHolder(content: string): LockHolder {
  const identity = parseIdentity(content);
  if (!identity) return { pid: /^\s*\d+\s*$/.test(content) ? content.trim() : '?' };
  const { host, since, command } = JSON.parse(content) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return { pid: String(identity.pid), host: text(host), since: text(since), command: text(command) };
}

/** `host h, since T: command` (what the lock says beyond the pid), or '' for a lock that holds a pid only. */
export function holderDetails({ host, since, command }: LockHolder): string {
  const parts = [...(host ? [`host ${host}`] : []), ...(since ? [`since ${since}`] : [])].join(', ');
  return `${parts}${command ? `${parts ? ': ' : ''}${command}` : ''}`;
}
