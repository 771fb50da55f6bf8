// The value search on a fake kernel: which values are tried, in what order, and which are kept.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { NumberOption } from '../../src/kconfig/engine.js';
import { bootWindowEnd, compareWeight, imageBytes, nextLower, plan, searchValues, type TryValue, type Weight } from '../../src/search/values.js';

/**
 * A fake kernel: LOG_BUF_SHIFT's buffer sits in bss (the window shrinks with it) and the tests need
 * at least `minShift`; LOAD_AT is where the kernel starts, rounded up to 2 MiB as the real one is,
 * and below 2 MiB it fails; QUIET changes nothing the weight sees.
 */
function fakeKernel(minShift = 12) {
  const tried: string[] = [];
  const tryValue: TryValue = async (settings, label) => {
    tried.push(label);
    const shift = Number(settings.get('LOG_BUF_SHIFT') ?? 17);
    const load = Number(settings.get('LOAD_AT') ?? 0x1000000);
    const aligned = Math.ceil(load / 0x200000) * 0x200000;
    const passed = shift >= minShift && load >= 0x100000;
    const weight: Weight = { bzImageBytes: 1_000_000, bootWindowEnd: aligned + 0x600000 + 2 ** shift };
    return { passed, reason: passed ? 'pass' : 'fail: the tests', weight };
  };
  return { tried, tryValue };
}

const start: Weight = { bzImageBytes: 1_000_000, bootWindowEnd: 0x1000000 + 0x600000 + 2 ** 17 };
const SHIFT: NumberOption = { name: 'LOG_BUF_SHIFT', type: 'int', value: 17n, low: 12n, high: 25n };
const LOAD: NumberOption = { name: 'LOAD_AT', type: 'hex', value: 0x1000000n };
const QUIET: NumberOption = { name: 'QUIET', type: 'int', value: 7n, low: 1n, high: 15n };

describe('plan and nextLower', () => {
  test('a range starts at its low end; none halves; a value at its floor is not tried', () => {
    expect(plan(SHIFT)).toEqual({ kind: 'range', low: 12n });
    expect(plan(LOAD)).toEqual({ kind: 'halve' });
    expect(plan({ ...SHIFT, value: 12n })).toBeUndefined();
    expect(plan({ name: 'ONE', type: 'int', value: 1n })).toBeUndefined();
    expect(nextLower(SHIFT)).toBe(12n);
    expect(nextLower(LOAD)).toBe(0x800000n);
  });
});

describe('compareWeight', () => {
  test('lighter needs one measure better beyond noise and none worse', () => {
    expect(compareWeight({ bzImageBytes: 990, bootWindowEnd: 100_000 }, { bzImageBytes: 1000, bootWindowEnd: 100_000 }).lighter).toBe(false);
    expect(compareWeight({ bzImageBytes: 900, bootWindowEnd: 100_000 }, { bzImageBytes: 1000, bootWindowEnd: 100_000 })).toEqual({ lighter: true, detail: 'bzImage -100 B' });
    expect(compareWeight({ bzImageBytes: 900, bootWindowEnd: 200_000 }, { bzImageBytes: 1000, bootWindowEnd: 100_000 }).lighter).toBe(false);
    expect(compareWeight({ bootWindowEnd: 0x800000 }, { bzImageBytes: 1000, bootWindowEnd: 0x1000000 })).toEqual({ lighter: true, detail: 'boot window -8192 KiB' });
    expect(compareWeight({}, {})).toEqual({ lighter: false, detail: 'the same size' });
  });
});

describe('searchValues', () => {
  test('a range whose low end passes lighter costs one try', async () => {
    const k = fakeKernel();
    const r = await searchValues({ options: [SHIFT], start, tryValue: k.tryValue });
    expect(k.tried).toEqual(['LOG_BUF_SHIFT=12']);
    expect(r.lowered).toEqual([{ option: 'LOG_BUF_SHIFT', from: '17', to: '12', detail: `boot window -${(2 ** 17 - 2 ** 12) / 1024} KiB` }]);
  });

  test('a failing low end bisects to the least value that passes', async () => {
    const k = fakeKernel(15);
    const r = await searchValues({ options: [SHIFT], start, tryValue: k.tryValue });
    expect(k.tried).toEqual(['LOG_BUF_SHIFT=12', 'LOG_BUF_SHIFT=14', 'LOG_BUF_SHIFT=15']);
    expect(r.lowered.map((l) => l.to)).toEqual(['15']);
  });

  test('every lower value failing keeps the value, with the reason', async () => {
    const k = fakeKernel(17);
    const r = await searchValues({ options: [SHIFT], start, tryValue: k.tryValue });
    expect(r.lowered).toEqual([]);
    expect(r.kept).toEqual([{ option: 'LOG_BUF_SHIFT', value: '17', why: '12 and every value below 17 fail (fail: the tests)' }]);
  });

  test('a value that passes but weighs the same is left as it was', async () => {
    const k = fakeKernel();
    const r = await searchValues({ options: [QUIET], start, tryValue: k.tryValue });
    expect(k.tried).toEqual(['QUIET=1']);
    expect(r.lowered).toEqual([]);
    expect(r.kept[0]!.why).toMatch(/^1 passes and weighs no less/);
  });

  test('without a range, halvings go on while each is lighter than the one above it', async () => {
    const k = fakeKernel();
    const r = await searchValues({ options: [LOAD], start, tryValue: k.tryValue });
    // 1 MiB rounds up to the 2 MiB of the halving above it: no lighter, so the search stops there.
    expect(k.tried).toEqual(['LOAD_AT=0x800000', 'LOAD_AT=0x400000', 'LOAD_AT=0x200000', 'LOAD_AT=0x100000']);
    expect(r.lowered).toEqual([{ option: 'LOAD_AT', from: '0x1000000', to: '0x200000', detail: 'boot window -14336 KiB' }]);
  });

  test('each option is tried with the values lowered before it, and the weight follows', async () => {
    const k = fakeKernel();
    const r = await searchValues({ options: [SHIFT, LOAD], start, tryValue: k.tryValue });
    expect(r.lowered.map((l) => `${l.option}=${l.to}`)).toEqual(['LOG_BUF_SHIFT=12', 'LOAD_AT=0x200000']);
    expect(r.weight.bootWindowEnd).toBe(0x200000 + 0x600000 + 2 ** 12);
    expect(r.trials.filter((t) => t.option === 'LOAD_AT').every((t) => t.weight!.bootWindowEnd! % 0x200000 === 2 ** 12)).toBe(true);
  });
});

describe('bootWindowEnd', () => {
  test('reads pref_address + init_size from a setup header, and nothing from other files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-window-'));
    const header = Buffer.alloc(0x300);
    header.write('HdrS', 0x202, 'latin1');
    header.writeUInt16LE(0x20f, 0x206);
    header.writeBigUInt64LE(0x1000000n, 0x258);
    header.writeUInt32LE(0xb9c000, 0x260);
    await writeFile(path.join(dir, 'bzImage'), header);
    expect(await bootWindowEnd(path.join(dir, 'bzImage'))).toBe(0x1000000 + 0xb9c000);
    header.writeUInt16LE(0x209, 0x206);
    await writeFile(path.join(dir, 'old'), header);
    expect(await bootWindowEnd(path.join(dir, 'old'))).toBeUndefined();
    expect(await bootWindowEnd(path.join(dir, 'none'))).toBeUndefined();
  });
});

describe('searchValues on choices', () => {
  const HZ = { prompt: 'Timer frequency', members: ['HZ_100', 'HZ_250', 'HZ_1000'], pick: 'HZ_250' };
  const SLAB = { prompt: 'Choose SLAB allocator', members: ['SLAB', 'SLUB', 'SLOB'], pick: 'SLUB' };
  const BYTES: Record<string, number> = { HZ_100: 990_000, HZ_250: 1_000_000, HZ_1000: 1_010_000, SLAB: 1_200_000, SLOB: 900_000 };

  /** Each member weighs its BYTES; SLOB fails; SLAB turns on two more options. */
  function fakeChoices() {
    const tried: string[] = [];
    const tryValue: TryValue = async (settings, label) => {
      tried.push(label);
      const on = [...settings].filter(([, v]) => v === 'y').map(([k]) => k);
      const bytes = on.reduce((sum, m) => sum + (BYTES[m]! - 1_000_000), 1_000_000);
      const passed = !on.includes('SLOB');
      return { passed, reason: passed ? 'pass' : 'fail: the tests', weight: { bzImageBytes: bytes } };
    };
    const enabled = (settings: ReadonlyMap<string, string>) => (settings.get('SLAB') === 'y' ? 12 : 10);
    return { tried, tryValue, enabled };
  }

  test('the lightest member that passes is kept; a failing one and a heavier one are named; a member that grows the config is not built', async () => {
    const k = fakeChoices();
    const r = await searchValues({ options: [], choices: [HZ, SLAB], enabled: k.enabled, start: { bzImageBytes: 1_000_000 }, tryValue: k.tryValue });
    expect(k.tried).toEqual(['Timer frequency: HZ_100', 'Timer frequency: HZ_1000', 'Choose SLAB allocator: SLOB']);
    expect(r.lowered).toEqual([{ option: 'Timer frequency', from: 'HZ_250', to: 'HZ_100', detail: 'bzImage -10000 B' }]);
    expect(r.kept).toEqual([{ option: 'Choose SLAB allocator', value: 'SLUB', why: 'SLAB turns on 2 more options; SLOB fails (fail: the tests)' }]);
    expect(r.settings).toEqual({ HZ_250: 'n', HZ_100: 'y' });
  });

  test('between two members that both pass lighter, the lighter one wins', async () => {
    const k = fakeChoices();
    BYTES.HZ_1000 = 980_000;
    try {
      const r = await searchValues({ options: [], choices: [HZ], start: { bzImageBytes: 1_000_000 }, tryValue: k.tryValue });
      expect(r.lowered.map((l) => l.to)).toEqual(['HZ_1000']);
    } finally {
      BYTES.HZ_1000 = 1_010_000;
    }
  });
});

describe('imageBytes', () => {
  test('is _end - _text of a System.map, and nothing without both', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-map-'));
    await writeFile(path.join(dir, 'System.map'), 'ffffffff81000000 T _text\nffffffff81000000 T startup_64\nffffffff822a5000 B _end\n');
    expect(await imageBytes(path.join(dir, 'System.map'))).toBe(0x12a5000);
    await writeFile(path.join(dir, 'partial.map'), 'ffffffff81000000 T _text\n');
    expect(await imageBytes(path.join(dir, 'partial.map'))).toBeUndefined();
    expect(await imageBytes(path.join(dir, 'none'))).toBeUndefined();
  });

  test('a smaller image in RAM is lighter, as much as a smaller file', () => {
    expect(compareWeight({ bzImageBytes: 1000, imageBytes: 0x100000 }, { bzImageBytes: 1000, imageBytes: 0x120000 })).toEqual({ lighter: true, detail: 'image in RAM -128 KiB' });
  });
});
