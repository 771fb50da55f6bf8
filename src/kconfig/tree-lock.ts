// Guards a kernel tree tinyx unpacks: one process unpacks it at a time, and none deletes it while another live process uses it.
import { setTimeout as sleep } from 'node:timers/promises';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { tryLockFile, writeFileAtomic } from '../util/fsx.js';
import { ownIdentity, parseIdentity, sameProcessAlive } from '../util/proc.js';

const POLL_MS = 200;

/**
 * Runs `work` holding `<dir>.lock`. While another process holds it (it is unpacking the tree),
 * waits for it; the lock of a process that has ended is taken over.
 */
export async function withTreeLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  while (!(await tryLockFile(lock))) await sleep(POLL_MS);
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Records this process as a user of the tree, in `<dir>.users/<pid>` (its identity, see
 * ../util/proc.ts). The record stays until the process has ended; then it no longer counts. Call
 * it holding the tree's lock.
 */
export async function useTree(dir: string): Promise<void> {
  await otherUsers(dir);
  await writeFileAtomic(path.join(`${dir}.users`, String(process.pid)), JSON.stringify(await ownIdentity()));
}

/** The pids of the live processes other than this one that use the tree; the records of ended ones are removed. Call it holding the tree's lock. */
export async function otherUsers(dir: string): Promise<number[]> {
  const users = `${dir}.users`;
  const live: number[] = [];
  for (const name of await readdir(users).catch(() => [] as string[])) {
    const record = path.join(users, name);
    const holder = parseIdentity(await readFile(record, 'utf8').catch(() => ''));
    if (!holder || !(await sameProcessAlive(holder))) await rm(record, { force: true });
    else if (holder.pid !== process.pid) live.push(holder.pid);
  }
  return live;
}
