// Small file helpers: atomic writes (temp file synced, then renamed), existence checks, a file's first bytes, process lock files.
import { randomBytes } from 'node:crypto';
import { access, copyFile, link, mkdir, open, readFile, rename, rm, writeFile, constants, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ownIdentity, parseIdentity, processIdentity, sameProcessAlive } from './proc.js';

/**
 * Write `data` to `file` so that readers see the old or the new content, never a torn one, even
 * after a crash or power loss (the data reaches the disk before the rename).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  await writeFile(tmp, data);
  await syncAndRename(tmp, file);
}

/** Copy `from` to `to` the same way: readers of `to` see the old file or the whole new one. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const tmp = tempName(to);
  await copyFile(from, tmp);
  await syncAndRename(tmp, to);
}

/** Flushes `tmp` to the disk, then renames it over `file`. */
async function syncAndRename(tmp: string, file: string): Promise<void> {
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** A name beside `file` that no concurrent writer picks. */
function tempName(file: string): string {
  return `${file}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `bytes` bytes of `file` (fewer when it is shorter); throws when it cannot be opened. */
export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes `file` as a lock holding our process identity (see ./proc.ts) and `details`: true if it was
 * free or its holder is no longer running (the stale lock is replaced), false while a live process
 * holds it (this one included). A lock holding a bare pid (older tinyx) is held while that pid runs;
 * one naming another host (details.host) is held: no process there can be looked up from here.
 */
export async function tryLockFile(file: string, details: Record<string, string> = {}): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  const ours = JSON.stringify({ ...(await ownIdentity()), ...details });
  for (;;) {
    if (await createExclusive(file, ours)) return true;
    const held = await readIfPresent(file);
    if (held === undefined) continue;
    if (await lockHeld(held)) return false;
    // Stale. Only the holder of `${file}.break` removes it, and only while it still holds what we read:
    // a second breaker that read the same stale lock cannot delete the fresh lock of the first.
    const breakLock = `${file}.break`;
    if (!(await tryLockFile(breakLock))) return false;
    try {
      if ((await readIfPresent(file)) === held) await rm(file, { force: true });
    } finally {
      await rm(breakLock, { force: true });
    }
  }
}

/** Creates `file` with `content` unless it exists; readers never see it empty or half-written. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = tempName(file);
  await writeFile(tmp, content);
  try {
    await link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function lockHeld(content: string): Promise<boolean> {
  const holder = parseIdentity(content);
  if (holder) return onAnotherHost(content) || sameProcessAlive(holder);
  const pid = Number(content.trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && (await processIdentity(pid)) !== undefined;
}

function onAnotherHost(content: string): boolean {
  const { host } = JSON.parse(content) as { host?: unknown };
  return typeof host === 'string' && host !== hostname();
}

/** fsync a file (or a directory), so that a rename after it never exposes a torn or empty file after a power loss. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
