// Forms newer or older than 6.1 that the engine accepts: `transitional` (>= 6.18) and `option ...` (< 5.x).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { loadKconfig } from '../../src/kconfig/engine.js';

const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));

async function tree(kconfig: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-tree-'));
  writeFileSync(path.join(dir, 'Kconfig'), kconfig);
  return loadKconfig(dir, { cacheDir });
}

test('a transitional symbol is read from .config to seed its successor, and never written', async () => {
  const model = await tree('config OLD_NAME\n\tbool\n\ttransitional\n\nconfig NEW_NAME\n\tbool "new"\n\tdefault OLD_NAME\n');
  expect([...model.resolve(new Map([['OLD_NAME', 'y']]))]).toEqual([['NEW_NAME', 'y']]);
  expect([...model.resolve(new Map())]).toEqual([['NEW_NAME', 'n']]);
});

test('legacy `option modules` marks the modules symbol; other legacy options are ignored', async () => {
  const model = await tree(
    'config MODULES\n\tbool "modules"\n\toption modules\n\tdefault y\n\n' +
      'config DEFCONFIG_LIST\n\tstring\n\toption defconfig_list\n\tdefault "/boot/config"\n\n' +
      'config T\n\ttristate "t"\n\tdefault m\n',
  );
  expect(model.resolve(new Map()).get('T')).toBe('m');
  expect(model.resolve(new Map([['MODULES', 'n']])).get('T')).toBe('y');
});
