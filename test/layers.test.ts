// The layer check (`npm run lint:layers`): a copy of src/ passes, and one upward import, one cycle or
// one import of an unplaced folder added to the copy fails it.
import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const CHECK_FILES = ['.dependency-cruiser.cjs', 'tsconfig.json'];

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-layers-'));
  await cp(path.join(root, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const file of CHECK_FILES) await cp(path.join(root, file), path.join(dir, file));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the package's lint:layers command line on the copy. */
async function lintLayers(): Promise<{ exitCode: number; output: string }> {
  const script: string = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).scripts['lint:layers'];
  const [command, ...args] = script.split(' ');
  const result = await execa(path.join(root, 'node_modules/.bin', command!), args, { cwd: dir, reject: false, all: true });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '' };
}

async function addModule(relative: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), text);
}

describe('lint:layers', () => {
  it('passes on src/ as it is', async () => {
    const { exitCode, output } = await lintLayers();
    expect(output).toContain('no dependency violations found');
    expect(exitCode).toBe(0);
  });

  it('fails on a lower folder importing a higher one', async () => {
    await addModule('src/util/upward.ts', "import { runMain } from '../cli/main.js';\nexport const entry = runMain;\n");
    const { exitCode, output } = await lintLayers();
    expect(output).toMatch(/layer-util: src\/util\/upward\.ts → src\/cli\/main\.ts/);
    expect(exitCode).not.toBe(0);
  });

  it('fails on a new import cycle, a type-only one included', async () => {
    await addModule('src/kconfig/ping.ts', "import type { Pong } from './pong.js';\nexport interface Ping { pong?: Pong }\n");
    await addModule('src/kconfig/pong.ts', "import type { Ping } from './ping.js';\nexport interface Pong { ping?: Ping }\n");
    const { exitCode, output } = await lintLayers();
    expect(output).toMatch(/no-cycle: src\/kconfig\/ping\.ts/);
    expect(exitCode).not.toBe(0);
  });

  it('fails on an import of a folder that has no layer', async () => {
    await addModule('src/nowhere/thing.ts', 'export const thing = 1;\n');
    await addModule('src/util/uses-nowhere.ts', "import { thing } from '../nowhere/thing.js';\nexport const used = thing;\n");
    const { exitCode, output } = await lintLayers();
    expect(output).toMatch(/layer-unplaced: src\/util\/uses-nowhere\.ts → src\/nowhere\/thing\.ts/);
    expect(exitCode).not.toBe(0);
  });
});
