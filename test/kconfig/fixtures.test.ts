// Each construct's fixture tree resolves exactly as the kernel's real `conf` resolved it, in each Kconfig dialect.
// 6.1's conf wrote expected.{config,defconfig}; 6.12's wrote expected-6.12.{config,defconfig}, for the cases it accepts.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { KCONFIG_6_1, KCONFIG_6_12 } from '../../src/kconfig/dialect.js';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig } from '../../src/kconfig/engine.js';
import { confTool, KERNEL_TREES, runConf } from './realconf.js';

const ROOT = path.join(import.meta.dirname, '..', 'fixtures', 'kconfig');
const ALL = readdirSync(ROOT).filter((c) => c !== 'errors');
const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));
const read = (c: string, f: string) => readFileSync(path.join(ROOT, c, f), 'utf8');

const DIALECTS = [
  { version: '6.1', dialect: KCONFIG_6_1, suffix: '' },
  { version: '6.12', dialect: KCONFIG_6_12, suffix: '-6.12' },
];

describe.each(DIALECTS.map((d) => [d.version, d] as const))('fixtures against the %s conf results committed beside them', (_, { dialect, suffix }) => {
  const cases = ALL.filter((c) => existsSync(path.join(ROOT, c, `expected${suffix}.config`)));
  const config = (c: string) => read(c, `expected${suffix}.config`);
  const load = (c: string) => loadKconfig(path.join(ROOT, c), { cacheDir, dialect });

  test.each(cases)('%s: olddefconfig text', async (c) => {
    expect((await load(c)).resolveText(parseDotConfig(read(c, 'input.config')))).toBe(config(c));
  });

  test.each(cases)('%s: resolve() map equals the expected lines', async (c) => {
    const got = (await load(c)).resolve(parseDotConfig(read(c, 'input.config')));
    expect([...got]).toEqual([...parseDotConfig(config(c))]);
  });

  test.each(cases)('%s: savedefconfig', async (c) => {
    expect((await load(c)).savedefconfig(parseDotConfig(read(c, 'input.config')))).toBe(read(c, `expected${suffix}.defconfig`));
  });

  test.each(cases)('%s: resolving is idempotent', async (c) => {
    const model = await load(c);
    const once = model.resolve(parseDotConfig(read(c, 'input.config')));
    expect([...model.resolve(once)]).toEqual([...once]);
  });
});

const RERUN = DIALECTS.flatMap((d) => KERNEL_TREES.filter((t) => t.version === d.version).map((tree) => [d.version, { ...d, tree }] as const));

describe.skipIf(!RERUN.length)('fixtures rerun through the real conf', () => {
  test.each(RERUN)('the committed %s expectations are what its conf produces today', async (_, { tree, suffix }) => {
    const conf = await confTool(tree);
    for (const c of ALL) {
      const expected = path.join(ROOT, c, `expected${suffix}.config`);
      const real = await runConf(conf, path.join(ROOT, c)).catch(() => undefined);
      // a case without this version's expectations uses syntax its conf rejects (a tristate or optional choice)
      if (!existsSync(expected)) {
        expect(real, c).toBeUndefined();
        continue;
      }
      expect(real?.config, c).toBe(read(c, `expected${suffix}.config`));
      expect(real?.defconfig, c).toBe(read(c, `expected${suffix}.defconfig`));
    }
  });
});
