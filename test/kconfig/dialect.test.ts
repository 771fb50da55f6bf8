// Each tree's Kconfig dialect is read from its own scripts/kconfig: 6.1's and 6.12's where present, 6.1's for a bare Kconfig dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { KCONFIG_6_1, KCONFIG_6_12, readDialect } from '../../src/kconfig/dialect.js';
import { KERNEL_TREES } from './realconf.js';

const PRESETS: Record<string, typeof KCONFIG_6_1> = { '6.1': KCONFIG_6_1, '6.12': KCONFIG_6_12 };
const TREES = KERNEL_TREES.filter((t) => PRESETS[t.version]).map((t) => [t.version, t] as const);

test.skipIf(!TREES.length).each(TREES)('Linux %s reads as its preset', async (version, tree) => {
  expect(await readDialect(tree.dir)).toEqual(PRESETS[version]);
});

test('a dir without conf sources gets the fallback', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-dialect-'));
  expect(await readDialect(dir)).toEqual(KCONFIG_6_1);
  expect(await readDialect(dir, KCONFIG_6_12)).toEqual(KCONFIG_6_12);
});
