// A launch script's command line: run for real by sh; every word is taken literally except the script's own expansions.
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromScript, shellCommand, wordsFromScript } from '../../src/vm/shell-argv.js';
import { tempDir } from '../deps/helpers.js';
import { exists, hostileValues } from '../helpers/hostile.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-shell-argv-');
});
afterAll(async () => tmp?.cleanup());

/** The words `argv` reaches printf with, run by sh with X and Y set. */
async function words(argv: string[], width?: number): Promise<string[]> {
  const { stdout } = await execa('sh', ['-c', shellCommand(['printf', '%s\\0', ...argv], width)], { env: { X: '1 2', Y: 'a  b' }, stripFinalNewline: false });
  return stdout.split('\0').slice(0, -1);
}

describe('shellCommand', () => {
  it('keeps each literal byte for byte beside an expansion, expands inside a word as one word, and splits a words variable', async () => {
    const marker = path.join(tmp.dir, 'MARKER');
    for (const v of hostileValues(marker)) {
      expect(await words([v, `${v}${fromScript('$X')}${v}`, wordsFromScript('$Y')])).toEqual([v, `${v}1 2${v}`, 'a', 'b']);
    }
    expect(await exists(marker)).toBe(false);
  });

  it('continues a long command over lines, breaking only before an option', async () => {
    const argv = ['-a', 'x'.repeat(30), '-b', 'y'.repeat(30), 'z'.repeat(30), '-c'];
    const text = shellCommand(argv, 30);
    expect(text.split(' \\\n').map((l) => l.trim().split(' ')[0])).toEqual(['-a', '-b', '-c']);
    expect(await words(argv, 30)).toEqual(argv);
  });
});
