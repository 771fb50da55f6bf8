// Rebuilds a file only when what it is built from changed: a hash of its inputs, kept in FILE.stamp beside it.
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The sha256 of `parts` (texts, or the contents of files and trees named by `{ file }`), in order.
 * @param {Array<string | { file: string }>} parts
 * @returns {Promise<string>}
 */
export async function inputHash(parts) {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') hash.update(`text ${part.length}\n${part}`);
    else await hashTree(hash, part.file, path.basename(part.file));
  }
  return hash.digest('hex');
}

/** A file's contents, or a tree's relative names and contents in sorted order, into `hash`. */
async function hashTree(hash, file, name) {
  const info = await stat(file);
  if (!info.isDirectory()) {
    const bytes = await readFile(file);
    hash.update(`file ${name} ${info.mode & 0o7777} ${bytes.length}\n`).update(bytes);
    return;
  }
  hash.update(`dir ${name}\n`);
  for (const child of (await readdir(file)).sort()) await hashTree(hash, path.join(file, child), `${name}/${child}`);
}

/**
 * Builds `file` unless it exists and its stamp holds `key`. `build` writes a file it is given (a
 * temporary name beside `file`), renamed over `file` when done; the stamp is written last.
 * @param {string} file
 * @param {string} key
 * @param {(tmp: string) => Promise<void>} build
 * @returns {Promise<boolean>} whether it was built
 */
export async function buildIfChanged(file, key, build) {
  const stamp = `${file}.stamp`;
  const current = await readFile(stamp, 'utf8').catch(() => undefined);
  if (current?.trim() === key && (await stat(file).then(() => true, () => false))) return false;
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await rm(stamp, { force: true });
    await build(tmp);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  await writeFile(`${stamp}.tmp-${process.pid}`, `${key}\n`);
  await rename(`${stamp}.tmp-${process.pid}`, stamp);
  return true;
}
