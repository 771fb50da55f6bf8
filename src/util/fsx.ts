// Small file helpers: atomic writes (temp file + rename), existence checks, pid lock files.
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, writeFile, constants, stat } from 'node:fs/promises';
import path from 'node:path';

/** Write `data` to `file` so that readers see the old or the new content, never a torn one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
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
 * Takes `file` as a lock holding our pid: true if it was free or its holder is no longer alive
 * (the stale lock is replaced), false while another live process holds it.
 */
export async function tryLockFile(file: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const handle = await open(file, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch {
    const pid = Number(await readFile(file, 'utf8').catch(() => ''));
    if (pid && pid !== process.pid && isAlive(pid)) return false;
    await rm(file, { force: true });
    return tryLockFile(file);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
