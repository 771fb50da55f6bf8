// What a kernel tree is, for cache keys: its git commit and uncommitted changes, or a hash of its files.
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256, sha256File } from '../util/hash.js';

/**
 * The cache key of a tree: its version plus a hash of its identity. Trees with the same content
 * share kernels, and a changed tree never reuses another's. src/remote/identity.ts computes the
 * same identities with shell tools, so a worker on this machine shares the store.
 */
export function treeKey(version: string, identity: string): string {
  return `${version}-${sha256(identity).slice(0, 8)}`;
}

/** "git <commit>" or "git <commit> +dirty:<hash>" for the top of a git checkout, else "tree sha256:<hash>". */
export async function dirIdentity(dir: string, memoDir: string): Promise<string> {
  return (await gitIdentity(dir)) ?? `tree sha256:${await treeContentHash(dir, memoDir)}`;
}

/**
 * The commit, plus a hash of `git diff HEAD` and the untracked files (names and contents; ignored
 * files do not count). Undefined when `dir` is not the top of a checkout with a commit: a tree inside
 * some other repository is hashed as files. Reads only: git diff does not rewrite the index.
 */
export async function gitIdentity(dir: string): Promise<string | undefined> {
  const head = await execa('git', ['-C', dir, 'rev-parse', '--show-toplevel', 'HEAD'], { reject: false });
  const [top, commit] = head.exitCode === 0 ? head.stdout.split('\n') : [];
  if (!top || !commit || (await realpath(top).catch(() => '')) !== dir) return undefined;
  const git = (args: string[]) => execa('git', ['-C', dir, ...args], { encoding: 'buffer', stripFinalNewline: false });
  const diff = (await git(['diff', '--binary', '--no-color', '--no-ext-diff', 'HEAD'])).stdout;
  const names = Buffer.from((await git(['ls-files', '-z', '--others', '--exclude-standard'])).stdout).toString('utf8').split('\0').filter(Boolean);
  if (diff.length === 0 && names.length === 0) return `git ${commit}`;
  // The lines `sha256sum` prints for the untracked files, in git's order (none for what it cannot read).
  const limit = pLimit(4);
  const untracked = await Promise.all(names.map((name) => limit(() => sha256File(path.join(dir, name)).then((h) => `${h}  ${name}\n`, () => ''))));
  const dirty = sha256(Buffer.concat([diff, Buffer.from('\0untracked\0'), Buffer.from(untracked.join(''))]));
  return `git ${commit} +dirty:${dirty}`;
}

/**
 * Every file and symlink of the tree with its type, size, mtime (ns) and target, skipping only `.git`:
 * `find` lists a 1.5 GB tree in ~1 s. A shell command, so a worker (src/remote/identity.ts) runs the very same.
 */
export const TREE_FINGERPRINT = 'find . -name .git -prune -o \\( -type f -o -type l \\) -printf \'%y %s %T@ %p -> %l\\n\' | LC_ALL=C sort | sha256sum | cut -c1-64';

/** Where a tree's "<fingerprint> <content hash>" line is remembered (here and on workers alike). */
export function treeMemoName(dir: string): string {
  return sha256(dir).slice(0, 16);
}

/**
 * sha256 over the tree's regular files (`sha256sum` lines `<hash>  ./<path>`, sorted by path) and
 * symlinks (`./<path> -> <target>`, sorted), skipping only `.git`. That reads every byte (~15-30 s
 * for a 1.5 GB tree on 2 cores), so it is remembered per directory with TREE_FINGERPRINT: the files
 * are read again only when some path, size or mtime changed. (An edit that keeps a file's size and
 * mtime goes unnoticed, as it does for make.)
 */
export async function treeContentHash(dir: string, memoDir: string): Promise<string> {
  const fingerprint = (await execa('sh', ['-c', TREE_FINGERPRINT], { cwd: dir })).stdout.trim();
  const memo = path.join(memoDir, treeMemoName(dir));
  const [knownPrint, knownHash] = (await readFile(memo, 'utf8').catch(() => '')).trim().split(' ');
  if (knownPrint === fingerprint && knownHash && /^[0-9a-f]{64}$/.test(knownHash)) return knownHash;
  const entries = await walk(dir);
  const limit = pLimit(8);
  const files = await Promise.all(entries.filter((e) => !e.link)
    .map((e) => limit(async () => ({ order: Buffer.from(`./${e.rel}`), line: `${await sha256File(path.join(dir, e.rel))}  ./${e.rel}\n` }))));
  const links = await Promise.all(entries.filter((e) => e.link).map(async (e) => {
    const line = `./${e.rel} -> ${await readlink(path.join(dir, e.rel))}`;
    return { order: Buffer.from(line), line: `${line}\n` };
  }));
  // Byte order, as `LC_ALL=C sort` has it.
  const sorted = (list: { order: Buffer; line: string }[]) => list.sort((a, b) => Buffer.compare(a.order, b.order)).map((x) => x.line);
  const hash = sha256(sorted(files).join('') + sorted(links).join(''));
  await writeFileAtomic(memo, `${fingerprint} ${hash}\n`);
  return hash;
}

async function walk(dir: string, rel = ''): Promise<{ rel: string; link: boolean }[]> {
  const found: { rel: string; link: boolean }[] = [];
  const children = await readdir(path.join(dir, rel), { withFileTypes: true });
  await Promise.all(children.map(async (child) => {
    if (child.name === '.git') return;
    const name = rel ? `${rel}/${child.name}` : child.name;
    if (child.isDirectory()) found.push(...(await walk(dir, name)));
    else if (child.isFile() || child.isSymbolicLink()) found.push({ rel: name, link: child.isSymbolicLink() });
  }));
  return found;
}
