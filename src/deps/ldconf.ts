// Reads /etc/ld.so.conf (with its `include` globs) to explain a library the loader cannot find.
import path from 'node:path';
import { hostFs, type FsView } from './fsview.js';

export interface LdSoConf {
  dirs: string[];
  includes: string[];
}

/** Pure: directory lines and `include PATTERN` lines; comments and hwcap lines dropped. */
export function parseLdSoConf(text: string, baseDir = '/etc'): LdSoConf {
  const dirs: string[] = [];
  const includes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = (raw.split('#')[0] ?? '').trim();
    if (line === '' || line.startsWith('hwcap ')) continue;
    const inc = /^include\s+(.+)$/.exec(line);
    if (inc?.[1]) {
      for (const p of inc[1].split(/\s+/)) includes.push(path.isAbsolute(p) ? p : path.join(baseDir, p));
      continue;
    }
    // old syntax allowed "dir=TYPE" and lists separated by ':' or ','
    for (const d of line.split(/[:,\s]+/)) if (d) dirs.push(d.replace(/=.*$/, ''));
  }
  return { dirs, includes };
}

/** Pure: a shell glob basename (only * and ?) as a regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** All directories configured by `file` in `fs`, following includes (depth-limited against cycles). */
export async function readLdSoConfDirs(file = '/etc/ld.so.conf', fs: FsView = hostFs, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  const walk = await fs.walk(file).catch(() => undefined);
  const text = walk && (await fs.readFile(walk.realPath).then((b) => b.toString('utf8'), () => undefined));
  if (text === undefined) return [];
  const conf = parseLdSoConf(text, path.dirname(file));
  const dirs = [...conf.dirs];
  for (const pattern of conf.includes) {
    const dir = path.dirname(pattern);
    const re = globToRegExp(path.basename(pattern));
    const real = await fs.walk(dir).catch(() => undefined);
    const names = real ? await fs.list(real.realPath).catch(() => [] as string[]) : [];
    for (const name of names.filter((n) => re.test(n)).sort()) dirs.push(...(await readLdSoConfDirs(path.join(dir, name), fs, depth + 1)));
  }
  return [...new Set(dirs)];
}
