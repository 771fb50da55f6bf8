// `--compression` and `--compare-compression`: read into minimize's options, refused with TINYX_USAGE before anything else happens.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';
import { optionsFromFlags } from '../../src/flags/minimize-options.js';
import { parseFlags } from '../../src/flags/flag.js';
import { MINIMIZE_FLAGS } from '../../src/flags/minimize.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const options = (...flags: string[]) => optionsFromFlags(parseFlags(MINIMIZE_FLAGS, ['--app', '/bin/true', '--tests', '/bin/true', ...flags]).values, []);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-compression-flags-'));
});

describe('compression flags', () => {
  it('leaves both to the profile and the host when absent', async () => {
    const o = await options();
    expect(o.compression).toBeUndefined();
    expect(o.compareCompression).toBeUndefined();
    expect(o.profile.packaging.compression).toBe('auto');
  });

  it('reads --compression and --compare-compression LIST or none', async () => {
    expect(await options('--compression', 'zstd', '--compare-compression', 'gzip,lz4')).toMatchObject({ compression: 'zstd', compareCompression: ['gzip', 'lz4'] });
    expect((await options('--compression=auto', '--compare-compression=none')).compareCompression).toEqual([]);
  });

  for (const [flag, value, says] of [
    ['--compression', 'bzip2', '--compression must be one of auto, gzip, xz, zstd, lz4, received "bzip2".'],
    ['--compare-compression', 'xz,brotli', '--compare-compression takes compressors from gzip, xz, zstd, lz4, comma-separated, or none; received "xz,brotli".'],
    ['--compare-compression', 'auto', 'received "auto"'],
  ] as const) {
    it(`refuses ${flag} ${value} with exit 2, creating nothing`, async () => {
      const out = path.join(dir, `${flag}-${value}`);
      const r = await run(['minimize', '--app', '/bin/true', '--tests', '/bin/true', '--out', out, flag, value]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('TINYX_USAGE');
      expect(r.stderr).toContain(says);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('lists both in the help, with their choices', async () => {
    const help = (await run(['minimize', '--help'])).stdout;
    expect(help).toContain('--compression auto|gzip|xz|zstd|lz4');
    expect(help).toContain('--compare-compression LIST|none');
    expect(help).toMatch(/takes the smallest/);
  });
});
