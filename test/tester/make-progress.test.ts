// Counting the objects a kernel build compiles from kbuild's quiet output, reported at most every few seconds.
import { describe, expect, it } from 'vitest';
import { builtObject, countObjects } from '../../src/tester/make-progress.js';

/** Output of a real `make O=... bzImage` (Linux 6.x, V=0), trimmed: 9 of its steps build an object. */
const KBUILD = `make[1]: Entering directory '/cache/builds/t/slot-0'
  SYNC    include/config/auto.conf.cmd
  GEN     Makefile
  HOSTCC  scripts/basic/fixdep
  HOSTCC  scripts/kconfig/conf.o
  HOSTLD  scripts/kconfig/conf
#
# configuration written to .config
#
  WRAP    arch/x86/include/generated/uapi/asm/bpf_perf_event.h
  UPD     include/generated/utsrelease.h
  CC      scripts/mod/empty.o
  CC      kernel/bounds.s
  DESCEND objtool
  CC      /cache/builds/t/slot-0/tools/objtool/libsubcmd/exec-cmd.o
  LD      /cache/builds/t/slot-0/tools/objtool/libsubcmd/libsubcmd-in.o
  AR      /cache/builds/t/slot-0/tools/objtool/libsubcmd/libsubcmd.a
  CC      init/main.o
init/main.c:42:13: warning: 'foo' defined but not used [-Wunused-function]
   42 | static void foo(void) {}
      |             ^~~
  AS      arch/x86/entry/entry_64.o
  CC [M]  fs/fat/inode.o
  AR      init/built-in.a
  LD      vmlinux.o
  MODPOST Module.symvers
  LD      vmlinux
  NM      System.map
  AS      arch/x86/boot/compressed/piggy.o
  LD      arch/x86/boot/compressed/vmlinux
  BUILD   arch/x86/boot/bzImage
Kernel: arch/x86/boot/bzImage is ready  (#1)
`;

describe('builtObject', () => {
  it('takes the object of a step that builds one, and nothing from other steps, warnings or make', () => {
    expect(builtObject('  CC      init/main.o')).toBe('init/main.o');
    expect(builtObject('  CC [M]  fs/fat/inode.o')).toBe('fs/fat/inode.o');
    expect(builtObject('  AS      arch/x86/entry/entry_64.o\r')).toBe('arch/x86/entry/entry_64.o');
    for (const line of ['  AR      init/built-in.a', '  LD      vmlinux', '  CC      kernel/bounds.s', '  GEN     Makefile', '   42 | static void foo(void) {}', "init/main.c:42:13: warning: 'x.o'", '']) {
      expect(builtObject(line)).toBeUndefined();
    }
    expect(KBUILD.split('\n').filter((l) => builtObject(l)).length).toBe(9);
  });
});

describe('countObjects', () => {
  it('counts lines split across pieces of output, and reports the final count at the end', () => {
    const reports: number[] = [];
    const counter = countObjects((n) => reports.push(n), { now: () => 0 });
    // Output arrives in pieces that cut lines anywhere.
    for (let at = 0; at < KBUILD.length; at += 37) counter.feed(KBUILD.slice(at, at + 37));
    counter.end();
    expect(counter.compiled).toBe(9);
    expect(reports).toEqual([1, 9]);
  });

  it('reports a grown count at most every everyMs, the first at once', () => {
    let clock = 0;
    const reports: [number, number][] = [];
    const counter = countObjects((n) => reports.push([clock, n]), { everyMs: 2_000, now: () => clock });
    const object = (name: string) => counter.feed(`  CC      ${name}.o\n`);
    object('a'); // at 0: reported
    clock = 1_000;
    object('b'); // too soon
    counter.feed('  AR      built-in.a\n');
    clock = 2_000;
    object('c'); // 2 s on: reported
    clock = 5_000;
    counter.feed('  LD      vmlinux\n'); // no new object: nothing to report
    clock = 5_500;
    object('d'); // 3.5 s on: reported
    counter.feed('  CC      e.o'); // unterminated until the end
    counter.end();
    expect(reports).toEqual([[0, 1], [2_000, 3], [5_500, 4], [5_500, 5]]);
  });

  it('says nothing at the end when the count was reported or nothing was compiled', () => {
    const reports: number[] = [];
    countObjects((n) => reports.push(n)).end();
    const counter = countObjects((n) => reports.push(n));
    counter.feed('  CC      a.o\n');
    counter.end();
    expect(reports).toEqual([1]);
  });
});
