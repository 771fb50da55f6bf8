// "#!" parsing as binfmt_script does it: one optional argument, `env` targets.
import { describe, expect, it } from 'vitest';
import { envTarget, parseShebang } from '../../src/deps/shebang.js';

const sb = (s: string) => parseShebang(Buffer.from(s));

describe('parseShebang', () => {
  it('reads the interpreter and keeps the rest as one argument', () => {
    expect(sb('#!/bin/sh\necho')).toEqual({ interpreter: '/bin/sh' });
    expect(sb('#! /usr/bin/perl -w -T\n')).toEqual({ interpreter: '/usr/bin/perl', arg: '-w -T' });
    expect(sb('#!/bin/sh\r\n')).toEqual({ interpreter: '/bin/sh' });
    expect(sb('#!\n')).toBeUndefined();
    expect(sb('\x7fELF')).toBeUndefined();
  });

  it('finds what env runs', () => {
    expect(envTarget({ interpreter: '/usr/bin/env', arg: 'python3' })).toBe('python3');
    expect(envTarget({ interpreter: '/usr/bin/env', arg: '-S VAR=1 node --flag' })).toBe('node');
    expect(envTarget({ interpreter: '/bin/sh', arg: 'x' })).toBeUndefined();
  });
});
