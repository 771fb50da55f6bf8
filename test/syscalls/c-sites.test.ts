// The C side of the syscall map: #if nesting around SYSCALL_DEFINEn, comments, continued lines, stubs.
import { describe, expect, it } from 'vitest';
import { logicalLines, scanC } from '../../src/syscalls/c-sites.js';
import { parseCondition, requiredOptions } from '../../src/syscalls/cpp-condition.js';

/** name -> options of each SYSCALL_DEFINE in `lines`. */
function gates(lines: string[]): Record<string, string[]> {
  return Object.fromEntries(scanC(lines.join('\n')).syscalls.map((s) => [s.name, s.options]));
}

describe('scanC', () => {
  it('gives a site the options of #ifdef, #if defined() and #if IS_ENABLED() around it, and its line', () => {
    const { syscalls } = scanC([
      'SYSCALL_DEFINE0(getpid)', '{', '}',
      '#ifdef CONFIG_EPOLL', 'SYSCALL_DEFINE1(epoll_create1, int, flags)', '#endif',
      '#if defined(CONFIG_SYSVIPC) && IS_ENABLED(CONFIG_MMU)', 'SYSCALL_DEFINE3(shmget, key_t, key, size_t, size, int, shmflg)', '#endif',
      '#if IS_BUILTIN(CONFIG_A) && (CONFIG_B && defined CONFIG_C)', 'SYSCALL_DEFINE0(abc)', '#endif',
    ].join('\n'));
    expect(syscalls.map((s) => [s.name, s.line, s.options])).toEqual([
      ['getpid', 1, []], ['epoll_create1', 5, ['EPOLL']], ['shmget', 8, ['SYSVIPC', 'MMU']], ['abc', 11, ['A', 'B', 'C']],
    ]);
  });

  it('adds no option for a negative test, and the #else of #ifndef is positive', () => {
    expect(gates([
      '#ifndef CONFIG_MMU', 'SYSCALL_DEFINE1(nommu_brk, unsigned long, brk)', '#else', 'SYSCALL_DEFINE1(brk, unsigned long, brk)', '#endif',
      '#ifdef CONFIG_X86_IOPL_IOPERM', 'SYSCALL_DEFINE1(iopl, unsigned int, level)', '#else', 'SYSCALL_DEFINE1(iopl_stub, unsigned int, level)', '#endif',
      '#if !IS_ENABLED(CONFIG_A)', 'SYSCALL_DEFINE0(not_a)', '#endif',
    ])).toEqual({ nommu_brk: [], brk: ['MMU'], iopl: ['X86_IOPL_IOPERM'], iopl_stub: [], not_a: [] });
  });

  it('follows #elif chains: each branch takes its test and the negation of the earlier ones', () => {
    expect(gates([
      '#ifdef CONFIG_CLONE_BACKWARDS', 'SYSCALL_DEFINE0(b1)',
      '#elif defined(CONFIG_CLONE_BACKWARDS2)', 'SYSCALL_DEFINE0(b2)',
      '#elif !defined(CONFIG_X)', 'SYSCALL_DEFINE0(not_x)',
      '#else', 'SYSCALL_DEFINE0(rest)', '#endif',
      '#if defined(CONFIG_A) || defined(CONFIG_B)', 'SYSCALL_DEFINE0(a_or_b)', '#else', 'SYSCALL_DEFINE0(neither)', '#endif',
      '#if !defined(CONFIG_A) || !defined(CONFIG_B)', 'SYSCALL_DEFINE0(not_both)', '#else', 'SYSCALL_DEFINE0(both)', '#endif',
      '#ifndef CONFIG_C', 'SYSCALL_DEFINE0(not_c)', '#elif defined(CONFIG_D)', 'SYSCALL_DEFINE0(c_and_d)', '#endif',
    ])).toEqual({
      b1: ['CLONE_BACKWARDS'], b2: ['CLONE_BACKWARDS2'], not_x: [], rest: ['X'], a_or_b: [], neither: [], not_both: [], both: ['A', 'B'], not_c: [], c_and_d: ['C', 'D'],
    });
  });

  it('nests blocks and pops them on #endif; __ARCH_WANT_ and other macros are not options', () => {
    expect(gates([
      '#ifdef CONFIG_A', '#ifdef __ARCH_WANT_SYS_PAUSE', '#if defined(CONFIG_B) && BITS_PER_LONG == 32', 'SYSCALL_DEFINE0(ab)', '#endif',
      'SYSCALL_DEFINE0(a_want)', '#endif', 'SYSCALL_DEFINE0(a)', '#endif', 'SYSCALL_DEFINE0(none)',
    ])).toEqual({ ab: ['A', 'B'], a_want: ['A'], a: ['A'], none: [] });
  });

  it('skips comments (a commented-out #ifdef, a SYSCALL_DEFINE in a comment) and joins continued #if lines', () => {
    const { syscalls } = scanC([
      '/* #ifdef CONFIG_NOT_A_BLOCK', 'SYSCALL_DEFINE0(in_comment)', '*/',
      '// #ifdef CONFIG_NOT_EITHER', 'const char *s = "/* not a comment";',
      '#if defined(CONFIG_A) && \\', '    defined(CONFIG_B) /* a comment */', 'SYSCALL_DEFINE0(ab)', '#endif /* CONFIG_A */',
      '  COMPAT_SYSCALL_DEFINE0(compat_only)', '#define SYSCALL_DEFINE0(sname) long sys_##sname(void)',
    ].join('\n'));
    expect(syscalls.map((s) => [s.name, s.line, s.options])).toEqual([['ab', 8, ['A', 'B']]]);
  });

  it('marks a body that only returns -ENOSYS as a stub, and reads `#include "x.c"` lines with their options', () => {
    const found = scanC([
      'SYSCALL_DEFINE3(ioperm, unsigned long, from, unsigned long, num,', '\t\tint, turn_on)', '{', '\treturn -ENOSYS;', '}',
      'SYSCALL_DEFINE1(iopl, unsigned int, level)', '{', '\tif (!level)', '\t\treturn -ENOSYS;', '\treturn 0;', '}',
      '#ifdef CONFIG_MEMBARRIER', '# include "membarrier.c"', '#endif', '#include "sched.h"',
    ].join('\n'));
    expect(found.syscalls.map((s) => [s.name, s.stub])).toEqual([['ioperm', true], ['iopl', false]]);
    expect(found.includes).toEqual([{ name: 'membarrier.c', line: 13, options: ['MEMBARRIER'] }]);
  });
});

describe('the pieces', () => {
  it('parseCondition: an && of an || operand keeps the other operands', () => {
    expect(requiredOptions(parseCondition('defined(CONFIG_A) && (defined(CONFIG_B) || defined(CONFIG_C))'))).toEqual(['A']);
    expect(requiredOptions(parseCondition('(defined(CONFIG_A))'))).toEqual(['A']);
    expect(requiredOptions(parseCondition('defined(CONFIG_A) || defined(CONFIG_B)'))).toEqual([]);
  });

  it('logicalLines numbers each joined line by its first physical line', () => {
    expect(logicalLines('a \\\nb\nc /* x\ny */ d\ne')).toEqual([
      { text: 'a  b', line: 1 }, { text: 'c     ', line: 3 }, { text: '     d', line: 4 }, { text: 'e', line: 5 },
    ]);
  });
});
