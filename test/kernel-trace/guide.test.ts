// Finding the slot that built the start config; skipping the trace when none did.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { buildDirOf, traceGuidedCandidates } from '../../src/kernel-trace/guide.js';
import { DEFAULT_TIMEOUTS } from '../../src/plan/timeouts.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const START = parseDotConfig('CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n');

async function slot(name: string, config: string, built: boolean): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.config'), config);
  if (built) await writeFile(path.join(dir, 'System.map'), 'ffffffff81000000 T _stext\n');
  return dir;
}

beforeAll(async () => {
  tmp = await tempDir('tinyx-guide-');
});
afterAll(async () => tmp.cleanup());

describe('buildDirOf', () => {
  it('picks the finished build of the same config, ignoring comments and order', async () => {
    const other = await slot('slot-0', 'CONFIG_A=y\n', true);
    const unfinished = await slot('slot-1', 'CONFIG_B=y\nCONFIG_A=y\n', false);
    const same = await slot('slot-2', '# comment\nCONFIG_B=y\nCONFIG_A=y\n# CONFIG_C is not set\n', true);
    expect(await buildDirOf([other, unfinished, same], START)).toBe(same);
    expect(await buildDirOf([other, unfinished, path.join(tmp.dir, 'missing')], START)).toBeUndefined();
  });

  it('skips the trace, saying why, when no slot built the start config', async () => {
    const other = await slot('slot-3', 'CONFIG_A=y\n', true);
    const result = await traceGuidedCandidates({
      slotDirs: [other], start: START, candidates: [{ name: 'A' }], srcDir: tmp.dir, bzImage: '', initramfs: '', cmdline: '',
      qemu: { machine: 'pc', memory: '256M', accel: 'auto', extraArgs: [] }, network: { guestPort: 80 }, tests: '', logDir: tmp.dir, ...DEFAULT_TIMEOUTS,
    });
    expect(result).toEqual({ skipped: expect.stringMatching(/no build dir/) });
  });
});
