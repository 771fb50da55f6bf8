// The global setup's check that a build slot still holds a finished build of the start config
// (the unit tests read its objects and boot its bzImage): a slot a build was killed in, or failed
// in, is not one.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDotConfig } from '../../src/kconfig/dotconfig.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { BUILDING_MARKER } from '../../src/tester/build.js';
import { tempDir } from '../deps/helpers.js';
import { finishedBuild } from './start-kernel.js';

const config = new Map([['A', 'y'], ['B', 'n']]);
let tmp: Awaited<ReturnType<typeof tempDir>>;
let stored: { configHash: string; bzImage: string };
beforeAll(async () => {
  tmp = await tempDir('tinyx-finished-');
  stored = { configHash: hashConfig(config), bzImage: path.join(tmp.dir, 'stored-bzImage') };
  await writeFile(stored.bzImage, 'kernel of A');
});
afterAll(() => tmp?.cleanup());

let slots = 0;
/** A slot whose .config is `config`, with a System.map and the bzImage given. */
async function slot(options: { bzImage?: string; marker?: boolean } = {}): Promise<string> {
  const dir = path.join(tmp.dir, `slot-${++slots}`);
  await mkdir(path.join(dir, 'arch/x86/boot'), { recursive: true });
  await writeFile(path.join(dir, '.config'), formatDotConfig(config));
  await writeFile(path.join(dir, 'System.map'), 'map');
  await writeFile(path.join(dir, 'arch/x86/boot/bzImage'), options.bzImage ?? 'kernel of A');
  if (options.marker) await writeFile(path.join(dir, BUILDING_MARKER), '\n');
  return dir;
}

describe('finishedBuild', () => {
  it('is a slot with no build marker whose .config is the config and whose bzImage is the one stored for it', async () => {
    const dir = await slot();
    expect(finishedBuild(dir)).toBe(true);
    expect(finishedBuild(dir, stored)).toBe(true);
    expect(finishedBuild(dir, { ...stored, configHash: hashConfig(new Map([['A', 'y'], ['B', 'y']])) })).toBe(false);
  });

  it('is not a slot a build of that config was killed in (its marker left), nor one it failed in (the last build\'s bzImage left)', async () => {
    expect(finishedBuild(await slot({ marker: true }))).toBe(false);
    expect(finishedBuild(await slot({ marker: true }), stored)).toBe(false);
    expect(finishedBuild(await slot({ bzImage: 'kernel of another config' }), stored)).toBe(false);
    expect(finishedBuild(path.join(tmp.dir, 'none'))).toBe(false);
  });
});
