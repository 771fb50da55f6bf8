// Identifies a process by pid, start time and boot id, so a pid reused later (or after a reboot) is not taken for it.
import { readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  startTime: number;
  /** /proc/sys/kernel/random/boot_id: changes on every boot. */
  bootId: string;
}

let thisBoot: Promise<string> | undefined;

/** The identity of the running process `pid`; undefined if there is none or it has exited (a zombie). */
export async function processIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // Field 2 is the command name in parentheses, which may itself hold spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, startTime] = [fields[0], Number(fields[19])];
  if (state === 'Z' || state === 'X') return undefined;
  thisBoot ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((text) => text.trim());
  return { pid, startTime, bootId: await thisBoot };
}

export async function ownIdentity(): Promise<ProcessIdentity> {
  const own = await processIdentity(process.pid);
  if (!own) throw new Error(`cannot read /proc/${process.pid}/stat`);
  return own;
}

/** True only if the process `identity` names is running now: same pid, same boot, same start time. */
export async function sameProcessAlive(identity: ProcessIdentity): Promise<boolean> {
  const now = await processIdentity(identity.pid);
  return now !== undefined && now.startTime === identity.startTime && now.bootId === identity.bootId;
}

/** The identity recorded in `text` (JSON, as written by JSON.stringify(identity)), if it holds one. */
export function parseIdentity(text: string): ProcessIdentity | undefined {
  try {
    const { pid, startTime, bootId } = (JSON.parse(text) ?? {}) as Partial<ProcessIdentity>;
    if (Number.isInteger(pid) && pid! > 0 && Number.isInteger(startTime) && typeof bootId === 'string') return { pid: pid!, startTime: startTime!, bootId };
  } catch {
    // Not JSON: no identity.
  }
  return undefined;
}
