// Replaces an out dir's result as a whole: at every instant, kill -9 included, a reader finds the previous complete result or the new one.
//
// The result's files live in `.results/<id>/`; `.result` is a symlink to the current one, and each
// result file's name in the out dir is a symlink through it (`bzImage -> .result/bzImage`), so
// `out/bzImage`, `run.sh`'s relative paths and every reader work as before. Replacing the result:
//   1. settle what an earlier writer left (settleResult, below);
//   2. write the new files into a fresh `.results/<id>/` (synced): no reader sees that dir yet;
//   3. add the links the new result has and the current one lacks: they dangle until step 4,
//      which is right, since the current result has no such file;
//   4. point `.result` at the new dir with one rename: the commit;
//   5. remove the links the new result lacks (dangling since step 4) and the old dir.
// A kill before step 4 leaves the previous result, after it the new one, plus garbage (a dir no link
// reaches, dangling links, `.swap-*` temporaries) that the next settle removes: the next write, and
// the next run when it takes the out dir's lock. The journal, `.work`, `history/`, `fingerprint.json`
// and the lock are not result files: they stay where they are across results.
// An out dir written by an older tinyx (plain files) is taken over by settleResult without an
// instant where a file reads otherwise: each is hard-linked into the current result dir, then
// replaced by its link.
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, readlink, rename, rm, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { exists, syncFile } from '../util/fsx.js';

const RESULTS = '.results';
const CURRENT = '.result';
const TEMPORARY = '.swap-';

/** Makes the out dir's result what `write` puts in the dir it is given (the previous result's files are gone after). */
export async function replaceResult(out: string, names: readonly string[], write: (dir: string) => Promise<void>): Promise<void> {
  await settleResult(out, names);
  const dir = path.join(out, RESULTS, uniqueName());
  await mkdir(dir, { recursive: true });
  await write(dir);
  const files = await readdir(dir);
  for (const name of files) await syncFile(path.join(dir, name));
  await syncFile(dir);
  for (const name of files) {
    if ((await readlink(path.join(out, name)).catch(() => undefined)) !== through(name)) await symlinkAtomic(through(name), path.join(out, name));
  }
  const previous = await currentDir(out);
  await symlinkAtomic(path.relative(out, dir), path.join(out, CURRENT));
  await syncFile(out);
  for (const name of await resultLinks(out)) if (!files.includes(name)) await unlink(path.join(out, name));
  if (previous) await rm(previous, { recursive: true, force: true });
}

/**
 * Removes what a writer killed mid-way left (temporaries, a result dir no link reaches, links that
 * reach no file), and takes over plain result files (`names`) an older tinyx wrote, keeping each readable.
 */
export async function settleResult(out: string, names: readonly string[]): Promise<void> {
  const entries = await readdir(out).catch(() => [] as string[]);
  for (const name of entries) if (name.startsWith(TEMPORARY)) await rm(path.join(out, name), { recursive: true, force: true });
  for (const name of names) {
    if (!(await lstat(path.join(out, name)).catch(() => undefined))?.isFile()) continue;
    const dir = (await currentDir(out)) ?? (await emptyResult(out));
    const staged = path.join(dir, `${TEMPORARY}${uniqueName()}`);
    await link(path.join(out, name), staged).catch(() => copyFile(path.join(out, name), staged));
    await rename(staged, path.join(dir, name));
    await symlinkAtomic(through(name), path.join(out, name));
  }
  const current = await currentDir(out);
  for (const id of await readdir(path.join(out, RESULTS)).catch(() => [] as string[])) {
    if (path.join(out, RESULTS, id) !== current) await rm(path.join(out, RESULTS, id), { recursive: true, force: true });
  }
  for (const name of await resultLinks(out)) if (!(await exists(path.join(out, name)))) await unlink(path.join(out, name));
}

/** The current result's dir, if the out dir has one. */
async function currentDir(out: string): Promise<string | undefined> {
  const target = await readlink(path.join(out, CURRENT)).catch(() => undefined);
  return target === undefined ? undefined : path.join(out, target);
}

async function emptyResult(out: string): Promise<string> {
  const dir = path.join(out, RESULTS, uniqueName());
  await mkdir(dir, { recursive: true });
  await symlinkAtomic(path.relative(out, dir), path.join(out, CURRENT));
  return dir;
}

/** The names in the out dir that are links through `.result` (whether or not the current result has the file). */
async function resultLinks(out: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(out).catch(() => [] as string[])) {
    if ((await readlink(path.join(out, name)).catch(() => undefined)) === through(name)) names.push(name);
  }
  return names;
}

const through = (name: string) => path.join(CURRENT, name);

/** Points `at` to `target` in one rename: readers see the old link (or file) or the new link. */
async function symlinkAtomic(target: string, at: string): Promise<void> {
  const temporary = path.join(path.dirname(at), `${TEMPORARY}${uniqueName()}`);
  await symlink(target, temporary);
  await rename(temporary, at);
}

function uniqueName(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}
