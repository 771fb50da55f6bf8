// The one shell-quoting helper: whatever a value holds, a real sh gets it as one word, byte for byte, and runs nothing in it.
import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, envPrefix, quote } from '../../src/util/shell.js';
import { tempDir } from '../deps/helpers.js';
import { exists, hostileValues } from '../helpers/hostile.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let marker: string;
beforeAll(async () => {
  tmp = await tempDir('tinyx-shell-');
  marker = path.join(tmp.dir, 'MARKER');
});
afterAll(async () => tmp?.cleanup());

/** The words `sh -c script` hands printf, NUL-separated so newlines stay inside a word. */
async function words(shell: string, script: string): Promise<string[]> {
  const { stdout } = await execa(shell, ['-c', script], { stripFinalNewline: false });
  return stdout.split('\0').slice(0, -1);
}

describe('quote', () => {
  it('quotes arguments and values so the shell passes them through unchanged', async () => {
    const values = ["it's", 'a b', '$HOME', 'hi "there"', '`x`', ''];
    const { stdout } = await execa('sh', ['-c', `printf '[%s]\\n' ${values.map(quote).join(' ')}`]);
    expect(stdout.split('\n')).toEqual(values.map((v) => `[${v}]`));
  });

  for (const shell of ['dash', 'bash']) {
    it(`gives ${shell} each hostile value as one word, byte for byte, running none of them`, async () => {
      const values = [...hostileValues(marker), 'plain/path-1.2,x=y:z@%+'];
      expect(await words(shell, `printf '%s\\0' ${values.map(quote).join(' ')}`)).toEqual(values);
      expect(await words(shell, command(['printf', '%s\\0', ...values]))).toEqual(values);
      expect(await exists(marker)).toBe(false);
    });
  }

  it('leaves plain words bare', () => {
    expect(command(['make', '-C', '/usr/src/linux-6.1', 'O=/x/slot-1', '-j4'])).toBe('make -C /usr/src/linux-6.1 O=/x/slot-1 -j4');
  });
});

describe('envPrefix', () => {
  it('sets each variable to its value, byte for byte', async () => {
    const values = hostileValues(marker);
    const env = Object.fromEntries(values.map((v, i) => [`V${i}`, v]));
    const print = command(['sh', '-c', `printf '%s\\0' ${values.map((_, i) => `"$V${i}"`).join(' ')}`]);
    expect(await words('sh', `${envPrefix(env)}${print}`)).toEqual(values);
    expect(await exists(marker)).toBe(false);
  });

  it('refuses a name that is not a shell variable name', async () => {
    for (const name of [`X=$(touch ${marker});Y`, 'A B', '1X', '']) {
      expect(() => envPrefix({ [name]: 'v' })).toThrow(/bad environment variable name/);
    }
    expect(await exists(marker)).toBe(false);
  });
});
