// The global setup's check that a build slot still holds a finished build of the start config
// (the unit tests read its objects and boot its bzImage): a slot a killed build left is not one.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDotConfig } from '../../src/kconfig/dotconfig.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { BUILDING_MARKER } from '../../src/tester/build.js';
import { tempDir } from '../deps/helpers.js';
import { finishedBuild } from './start-kernel.js';

const config = new Map([['A', 'y'], ['B', 'n']]);
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-finished-');
});
afterAll(() => tmp?.cleanup());

let slots = 0;
/** A slot whose .config is `config`, written `configAge` seconds ago; System.map and bzImage a minute ago. */
async function slot(options: { configAge?: number; marker?: boolean } = {}): Promise<string> {
  const dir = path.join(tmp.dir, `slot-${++slots}`);
  await mkdir(path.join(dir, 'arch/x86/boot'), { recursive: true });
  const now = Date.now() / 1000;
  await writeFile(path.join(dir, '.config'), formatDotConfig(config));
  await utimes(path.join(dir, '.config'), now - (options.configAge ?? 120), now - (options.configAge ?? 120));
  for (const file of ['System.map', 'arch/x86/boot/bzImage']) {
    await writeFile(path.join(dir, file), 'x');
    await utimes(path.join(dir, file), now - 60, now - 60);
  }
  if (options.marker) await writeFile(path.join(dir, BUILDING_MARKER), '\n');
  return dir;
}

describe('finishedBuild', () => {
  it('is a slot whose System.map was linked after its .config, with no build marker, of the config asked for', async () => {
    const dir = await slot();
    expect(finishedBuild(dir)).toBe(true);
    expect(finishedBuild(dir, hashConfig(config))).toBe(true);
    expect(finishedBuild(dir, hashConfig(new Map([['A', 'y'], ['B', 'y']])))).toBe(false);
  });

  it('is not a slot a build of that config was killed in: its marker left, or the last build\'s System.map older than the .config', async () => {
    expect(finishedBuild(await slot({ marker: true }), hashConfig(config))).toBe(false);
    expect(finishedBuild(await slot({ configAge: 30 }), hashConfig(config))).toBe(false);
    expect(finishedBuild(path.join(tmp.dir, 'none'))).toBe(false);
  });
});
