// Atomic writes reach the disk before they are renamed into place: checked on the real system calls (strace).
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileAtomic, writeFileAtomic } from '../../src/util/fsx.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The system calls this process makes while `work` runs: strace attached to all its threads. */
async function traced(work: () => Promise<void>): Promise<string[]> {
  const strace = execa('strace', ['-f', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2', '-p', String(process.pid)], { reject: false, stdin: 'ignore' });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    strace.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('attached')) resolve();
    });
    void strace.then(() => reject(new Error(`strace ended: ${seen}`)));
  });
  await new Promise((r) => setTimeout(r, 300));
  await work();
  strace.kill('SIGINT');
  return (await strace).stderr.toString().split('\n');
}

/** The line numbers of the temp file's opening, its fsync and its rename to `file`. */
function order(lines: string[], file: string): { sync: number; rename: number } {
  const rename = lines.findIndex((l) => /rename/.test(l) && l.includes(`"${file}")`));
  const tmp = /"([^"]+\.tmp)"/.exec(lines[rename] ?? '')?.[1];
  const opened = lines.filter((l) => tmp && l.includes(`"${tmp}"`) && l.includes('O_RDWR'));
  const fd = /= (\d+)$/.exec(opened.at(-1) ?? '')?.[1];
  return { sync: lines.findIndex((l) => fd !== undefined && new RegExp(`f(data)?sync\\(${fd}\\)\\s+= 0`).test(l)), rename };
}

describe('atomic writes', () => {
  it('sync the temp file before renaming it, for a copy (a stored kernel) and for a write (its config)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fsx-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'built'), 'kernel image');
    const lines = await traced(async () => {
      await copyFileAtomic(path.join(dir, 'built'), path.join(dir, 'bzImage'));
      await writeFileAtomic(path.join(dir, 'config'), 'CONFIG_A=y\n');
    });
    for (const file of ['bzImage', 'config']) {
      const { sync, rename } = order(lines, path.join(dir, file));
      expect(rename, lines.join('\n')).toBeGreaterThan(-1);
      expect(sync, `${file}:\n${lines.join('\n')}`).toBeGreaterThan(-1);
      expect(sync).toBeLessThan(rename);
    }
    expect(await readFile(path.join(dir, 'bzImage'), 'utf8')).toBe('kernel image');
  });
});
