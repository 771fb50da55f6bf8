// The --trace host run as one process group (strace, the app, what it forks): stopped whole and waited for, killed if tinyx exits first.
import { readdir, readFile } from 'node:fs/promises';

/** Send `signal` to the process group `pgid`; false when it has no process left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILL the group should this process exit while it runs (the CLI's forced exit after a signal,
 * or a second signal: no `finally` runs then). Returns the undo, for when the group is stopped.
 */
export function killGroupOnExit(pgid: number): () => void {
  const kill = (): void => {
    signalGroup(pgid, 'SIGKILL');
  };
  process.on('exit', kill);
  return () => process.off('exit', kill);
}

/**
 * Stop the group led by strace: SIGTERM first (strace then detaches from its tracees, flushes its
 * log and exits), then SIGKILL for whatever is left once strace is gone or after `graceMs` (an app
 * that ignores SIGTERM, a child it forked), then wait until no live process of the group is left.
 */
export async function stopGroup(pgid: number, leader: Promise<unknown>, graceMs = 2000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  await leader;
  clearTimeout(timer);
  signalGroup(pgid, 'SIGKILL');
  for (const end = Date.now() + 5000; (await liveMembers(pgid)) > 0 && Date.now() < end;) await new Promise((ok) => setTimeout(ok, 20));
}

/** Processes of the group that are not yet dead (a killed orphan stays a zombie until init reaps it). */
async function liveMembers(pgid: number): Promise<number> {
  if (!signalGroup(pgid, 0)) return 0;
  let live = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp ...: the command name may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') live++;
  }
  return live;
}
