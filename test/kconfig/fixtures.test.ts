// Each construct's fixture tree resolves exactly as the kernel's real `conf` resolved it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig } from '../../src/kconfig/engine.js';
import { confTool, haveKernel, runConf } from './realconf.js';

const ROOT = path.join(import.meta.dirname, '..', 'fixtures', 'kconfig');
const CASES = readdirSync(ROOT).filter((c) => c !== 'errors');
const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));
const read = (c: string, f: string) => readFileSync(path.join(ROOT, c, f), 'utf8');

describe('fixtures against the kernel conf results committed beside them', () => {
  test.each(CASES)('%s: olddefconfig text', async (c) => {
    const model = await loadKconfig(path.join(ROOT, c), { cacheDir });
    expect(model.resolveText(parseDotConfig(read(c, 'input.config')))).toBe(read(c, 'expected.config'));
  });

  test.each(CASES)('%s: resolve() map equals the expected lines', async (c) => {
    const model = await loadKconfig(path.join(ROOT, c), { cacheDir });
    const got = model.resolve(parseDotConfig(read(c, 'input.config')));
    expect([...got]).toEqual([...parseDotConfig(read(c, 'expected.config'))]);
  });

  test.each(CASES)('%s: savedefconfig', async (c) => {
    const model = await loadKconfig(path.join(ROOT, c), { cacheDir });
    expect(model.savedefconfig(parseDotConfig(read(c, 'input.config')))).toBe(read(c, 'expected.defconfig'));
  });

  test.each(CASES)('%s: resolving is idempotent', async (c) => {
    const model = await loadKconfig(path.join(ROOT, c), { cacheDir });
    const once = model.resolve(parseDotConfig(read(c, 'input.config')));
    expect([...model.resolve(once)]).toEqual([...once]);
  });
});

describe.skipIf(!haveKernel)('fixtures rerun through the real conf', () => {
  test('the committed expectations are what conf produces today', async () => {
    const conf = await confTool();
    for (const c of CASES) {
      const real = await runConf(conf, path.join(ROOT, c));
      expect(real.config, c).toBe(read(c, 'expected.config'));
      expect(real.defconfig, c).toBe(read(c, 'expected.defconfig'));
    }
  });
});
