// What the guest never gets from the host unless asked: a directory app's VCS data, secrets, editor debris and tinyx output.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** A host path of a directory app left out of the guest, and why. */
export interface LeftOut {
  path: string;
  why: string;
}

const NAME_RULES: Array<[RegExp, string]> = [
  [/^\.(git|hg|svn|bzr)$/, 'version control data'],
  [/^\.env(rc)?(\..*)?$/, 'environment file (secrets)'],
  [/^\.(netrc|npmrc|pypirc)$/, 'credentials file'],
  [/^\.(idea|vscode)$/, 'editor settings'],
  [/~$|^\..*\.sw[a-p]$|^#.*#$|^\.#|^\.DS_Store$|^Thumbs\.db$/, 'editor or OS debris'],
];

/** What a tinyx out dir holds (src/search: journal.ts, run-record.ts; src/run/minimize.ts's work dir). */
const OUT_MARKS = ['journal.jsonl', 'run.json', '.work'];

/** Pure: why a file or directory of this name in a directory app stays out of the guest (undefined: it goes in). */
export function leftOutName(name: string): string | undefined {
  return NAME_RULES.find(([rule]) => rule.test(name))?.[1];
}

/**
 * Everything under `root` left out by default, sorted: names by the rules above, directories
 * holding a tinyx run (journal, run.json or work dir: a previous run's output), and `outDir` (this
 * run's output) when it is inside `root`.
 */
export async function findLeftOut(root: string, outDir?: string): Promise<LeftOut[]> {
  const found: LeftOut[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const ent of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, ent.name);
      const why = p === outDir ? 'this run\'s output directory (--out)' : leftOutName(ent.name) ?? (ent.isDirectory() ? await outDirMark(p) : undefined);
      if (why) found.push({ path: p, why });
      else if (ent.isDirectory()) await walk(p);
    }
  };
  await walk(root);
  return found;
}

async function outDirMark(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const mark = OUT_MARKS.find((m) => names.includes(m));
  return mark && `output of an earlier tinyx run (holds ${mark})`;
}

/** Pure: whether `p` is one of `leftOut` or under one. */
export function isLeftOut(p: string, leftOut: readonly LeftOut[]): boolean {
  return leftOut.some((x) => p === x.path || p.startsWith(`${x.path}/`));
}
