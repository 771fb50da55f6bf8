// System.map and nm parsing, static-name disambiguation by neighbours, QEMU log lines.
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../src/kernel-trace/log.js';
import { functionAt, indexSymbols, kernelOffset, parseSystemMap, textSymbolsOfNm } from '../../src/kernel-trace/symbols.js';

const MAP = `
ffffffff81000000 T _stext
ffffffff81000000 T startup_64
ffffffff81000100 t init_once
ffffffff81000140 T a_first
ffffffff81000200 T a_second
ffffffff81000300 T b_first
ffffffff81000340 t init_once
ffffffff81000400 T c_first
ffffffff81000480 t helper
ffffffff81000500 T d_first
ffffffff81000580 t helper
ffffffff81000600 T e_first
ffffffff81000700 D some_data
0000000000001000 A absolute
`;

const OBJECTS = new Map<string, string[]>([
  ['arch/x86/kernel/head_64.o', ['startup_64']],
  ['a.o', ['init_once', 'a_first', 'a_second']],
  ['b.o', ['b_first', 'init_once']],
  ['c.o', ['c_first', 'helper']],
  ['d.o', ['d_first', 'helper']],
  ['e.o', ['e_first']],
]);

describe('symbols', () => {
  it('reads kernel addresses as offsets and skips others', () => {
    expect(kernelOffset('ffffffff81000000')).toBe(0x81000000);
    expect(kernelOffset('0x00007f0000000000')).toBeUndefined();
    const map = parseSystemMap(MAP);
    expect(map.map((s) => s.name)).not.toContain('absolute');
    expect(map[0]!.address).toBe(0x81000000);
  });

  it('reads defined text symbols from nm output', () => {
    expect(textSymbolsOfNm('0000000000000000 T foo\n0000000000000010 t bar\n0000000000000000 D data\n                 U extern\n0000000000000020 W weak')).toEqual([
      { name: 'foo', weak: false }, { name: 'bar', weak: false }, { name: 'weak', weak: true },
    ]);
  });

  it('gives a strong symbol to the strong definer and a weak one to the weak definer', () => {
    const objects = new Map([
      ['kernel/resource.o', [{ name: 'arch_remove_reservations', weak: true }, { name: 'arch_hook', weak: true }]],
      ['arch/x86/kernel/resource.o', [{ name: 'arch_remove_reservations', weak: false }]],
    ]);
    const map = parseSystemMap('ffffffff81000000 T arch_remove_reservations\nffffffff81000010 W arch_hook\nffffffff81000020 D end');
    const { functions } = indexSymbols(map, objects);
    expect(functions.map((f) => f.objects)).toEqual([['arch/x86/kernel/resource.o'], ['kernel/resource.o']]);
  });

  it('pins duplicate static names by their unambiguous neighbours', () => {
    const index = indexSymbols(parseSystemMap(MAP), OBJECTS);
    const objectsOf = (start: number) => index.functions.find((f) => f.start === start)!.objects;
    expect(objectsOf(0x81000100)).toEqual(['a.o']); // init_once before a_first
    expect(objectsOf(0x81000340)).toEqual(['b.o']); // init_once after b_first
    expect(objectsOf(0x81000580)).toEqual(['d.o']); // helper after d_first, before e.o
    // helper between c_first and d_first: the end of c.o or the start of d.o, no telling.
    expect(objectsOf(0x81000480)).toEqual(['c.o', 'd.o']);
    expect(index.ambiguous).toBe(1);
    expect(index.orphans).toBe(1); // _stext: a linker label
  });

  it('takes the neighbour on the side that is a candidate', () => {
    const map = parseSystemMap('ffffffff81000000 T a_second\nffffffff81000010 t helper\nffffffff81000020 T d_first\nffffffff81000030 D end');
    const index = indexSymbols(map, OBJECTS);
    expect(index.ambiguous).toBe(0);
    expect(index.functions[1]!.objects).toEqual(['d.o']);
  });

  it('finds the function holding an address, up to the next symbol', () => {
    const { functions } = indexSymbols(parseSystemMap(MAP), OBJECTS);
    expect(functionAt(functions, 0x81000150)!.name).toBe('a_first');
    expect(functionAt(functions, 0x81000540)!.name).toBe('d_first');
    expect(functionAt(functions, 0x81000700)).toBeUndefined();
    expect(functionAt(functions, 0x80000000)).toBeUndefined();
  });
});

describe('QEMU log lines', () => {
  it('reads in_asm instruction lines and exec block lines', () => {
    expect(parseLogLine('0xffffffff810000be:  0f 01 15 3b 0f a1 00     lgdtq    0xa10f3b(%rip)')).toBe(0x810000be);
    expect(parseLogLine('Trace 0: 0x7ff3ac1b1f80 [0000000000000000/ffffffff810000c9/0000c2b0/ff000000] ')).toBe(0x810000c9);
    expect(parseLogLine('0x0000000000401000:  31 ed  xorl %ebp, %ebp')).toBeUndefined();
    expect(parseLogLine('IN: ')).toBeUndefined();
    expect(parseLogLine('----------------')).toBeUndefined();
  });
});
