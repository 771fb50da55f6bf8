// Search-facing queries: candidates, disable, subtree, explain on small fixture trees.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';

const ROOT = path.join(import.meta.dirname, '..', 'fixtures', 'kconfig');
const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));
const input = (c: string) => parseDotConfig(readFileSync(path.join(ROOT, c, 'input.config'), 'utf8'));

describe('menus-if-visible', () => {
  let model: KconfigModel;
  beforeAll(async () => {
    model = await loadKconfig(path.join(ROOT, 'menus-if-visible'), { cacheDir });
  });

  test('candidates are the enabled, visible, unselected options with their menus', () => {
    const list = model.candidates(input('menus-if-visible'));
    expect(list.map((c) => c.name)).toEqual(['BASE', 'NET', 'VENDORS', 'VENDOR_A']);
    expect(list.find((c) => c.name === 'VENDOR_A')).toEqual({ name: 'VENDOR_A', menuPath: ['vendors'], parent: 'VENDORS' });
    expect(list.find((c) => c.name === 'NET')).toEqual({ name: 'NET', menuPath: ['base', 'Networking'], parent: 'BASE' });
  });

  test('keep removes names from the candidates (with or without CONFIG_)', () => {
    expect(model.candidates(input('menus-if-visible'), ['CONFIG_NET', 'BASE']).map((c) => c.name)).toEqual(['VENDORS', 'VENDOR_A']);
  });

  test('disable reports the cascade, and no-ops as empty', () => {
    const off = model.disable(input('menus-if-visible'), ['VENDORS']);
    expect(off.changed).toEqual(['VENDORS', 'VENDOR_A']);
    expect(off.config.get('VENDORS')).toBe('n');
    expect(model.disable(input('menus-if-visible'), ['HIDDEN_OPT']).changed).toEqual([]);
  });

  test('subtree by symbol and by menu prompt', () => {
    expect(model.subtree('VENDORS')).toEqual(['VENDOR_A']);
    expect(model.subtree('Networking')).toEqual(['NET', 'INET']);
  });

  test('explain says where, what and why', () => {
    const e = model.explain('CONFIG_HIDDEN_OPT', input('menus-if-visible'));
    expect(e).toMatchObject({ name: 'HIDDEN_OPT', type: 'bool', value: 'y', visible: 'n', definedAt: ['Kconfig:29'] });
    expect(e.prompts).toEqual([{ text: 'hidden option', at: 'Kconfig:30', visible: 'n' }]);
    expect(e.why.join('\n')).toMatch(/prompt not visible/);
    expect(() => model.explain('NOPE', input('menus-if-visible'))).toThrow(/No Kconfig symbol NOPE/);
  });
});

describe('select-imply', () => {
  test('selected options are not candidates; explain names the selector', async () => {
    const model = await loadKconfig(path.join(ROOT, 'select-imply'), { cacheDir });
    const names = model.candidates(input('select-imply')).map((c) => c.name);
    expect(names).toContain('DRIVER');
    expect(names).not.toContain('LIB');
    const e = model.explain('LIB', input('select-imply'));
    expect(e.value).toBe('y');
    expect(e.selectedBy).toEqual([{ expr: 'DRIVER', value: 'y' }]);
    expect(e.why[0]).toMatch(/selected .* by DRIVER/);
  });

  test('disabling the selector releases promptless selected symbols; prompted ones keep their .config value', async () => {
    const model = await loadKconfig(path.join(ROOT, 'select-imply'), { cacheDir });
    const { changed, config } = model.disable(input('select-imply'), ['DRIVER']);
    expect(changed).toEqual(['DRIVER', 'HELPER']);
    expect(config.get('LIB')).toBe('y');
  });
});

describe('multi-definition', () => {
  test('consecutive dependents nest under a menuconfig (automatic submenus), the next option does not', async () => {
    const model = await loadKconfig(path.join(ROOT, 'multi-definition'), { cacheDir });
    const list = model.candidates(input('multi-definition'));
    expect(list.find((c) => c.name === 'FEATURE_SUB_SUB')).toEqual({ name: 'FEATURE_SUB_SUB', menuPath: ['feature', 'sub'], parent: 'FEATURE_SUB' });
    expect(list.find((c) => c.name === 'NOT_SUB')).toEqual({ name: 'NOT_SUB', menuPath: [] });
    expect(model.subtree('FEATURE')).toEqual(['FEATURE_SUB', 'FEATURE_SUB_SUB']);
    expect(model.explain('SHARED', input('multi-definition')).definedAt).toEqual(['Kconfig:7', 'Kconfig:13']);
  });
});

describe('numbers-choices', () => {
  let model: KconfigModel;
  beforeAll(async () => {
    model = await loadKconfig(path.join(ROOT, 'numbers-choices'), { cacheDir });
  });

  test('numbers are the visible int and hex options with the range in force', () => {
    expect(model.numbers(input('numbers-choices'))).toEqual([
      { name: 'NR_CPUS', type: 'int', value: 1n, low: 1n, high: 1n },
      { name: 'LOG_BUF_SHIFT', type: 'int', value: 16n, low: 12n, high: 25n },
      { name: 'LOAD_AT', type: 'hex', value: 0x1000000n },
    ]);
    const smp = new Map(input('numbers-choices')).set('SMP', 'y').set('EXPERT', 'n');
    expect(model.numbers(smp)).toEqual([
      { name: 'NR_CPUS', type: 'int', value: 64n, low: 2n, high: 512n },
      { name: 'LOG_BUF_SHIFT', type: 'int', value: 16n, low: 12n, high: 25n },
    ]);
  });

  test('choices list their visible members and the pick; one visible member is no choice', () => {
    expect(model.choices(input('numbers-choices'))).toEqual([{ prompt: 'Timer frequency', members: ['HZ_100', 'HZ_250'], pick: 'HZ_250' }]);
    const smp = new Map(input('numbers-choices')).set('SMP', 'y').set('HZ_1000', 'y').set('HZ_250', 'n');
    expect(model.choices(smp)).toEqual([
      { prompt: 'Timer frequency', members: ['HZ_100', 'HZ_250', 'HZ_1000'], pick: 'HZ_1000' },
      { prompt: 'Only one member visible', members: ['ONLY_A', 'ONLY_B'], pick: 'ONLY_A' },
    ]);
  });
});
