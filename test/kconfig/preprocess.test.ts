// The macro language against a fake host: variables, arguments, functions, environment, errors.
import { describe, expect, test } from 'vitest';
import { PreprocessError, Preprocessor, type PreprocessHost } from '../../src/kconfig/preprocess.js';

function setup(env: Record<string, string> = {}) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const host: PreprocessHost = {
    shell: (cmd) => {
      calls.push(cmd);
      return cmd.startsWith('echo ') ? cmd.slice(5) : '';
    },
    env: (name) => env[name],
    warn: (m) => warnings.push(m),
  };
  return { pp: new Preprocessor(host), calls, warnings };
}

describe('Preprocessor', () => {
  test('simple variables expand once, recursive ones on every use', () => {
    const { pp, calls } = setup();
    pp.assign('A', ':=', '$(shell,echo a)');
    pp.assign('B', '=', '$(shell,echo b)');
    expect(pp.expandString('$(A)$(A)$(B)$(B)')).toBe('aabb');
    expect(calls).toEqual(['echo a', 'echo b', 'echo b']);
  });

  test('+= appends with a space and keeps the flavor', () => {
    const { pp } = setup();
    pp.assign('F', ':=', '-a');
    pp.assign('F', '+=', '-b');
    pp.assign('NEW', '+=', 'x');
    expect(pp.expandString('$(F)|$(NEW)')).toBe('-a -b|x');
  });

  test('user functions take $(1), $(2) and nested calls', () => {
    const { pp } = setup({ CC: 'gcc' });
    pp.assign('comma', ':=', ',');
    pp.assign('if-success', '=', '$(shell,echo $(1)?$(2):$(3))');
    pp.assign('cc-option', '=', '$(if-success,$(CC) $(1),y,n)');
    expect(pp.expandString('$(cc-option,-m64)')).toBe('gcc -m64?y:n');
    expect(pp.expandString('a$(comma)b')).toBe('a,b');
  });

  test('environment variables only without arguments; unknown names are empty', () => {
    const { pp } = setup({ SRCARCH: 'x86' });
    expect(pp.expandString('arch/$(SRCARCH)/Kconfig')).toBe('arch/x86/Kconfig');
    expect(pp.expandString('[$(NOPE)][$(SRCARCH,extra)]')).toBe('[][]');
  });

  test('built-ins: filename, lineno, info, warning-if, error-if', () => {
    const { pp, warnings } = setup();
    pp.file = 'init/Kconfig';
    pp.line = 42;
    expect(pp.expandString('$(filename):$(lineno)')).toBe('init/Kconfig:42');
    expect(pp.expandString('$(info,hello)$(warning-if,y,careful)$(warning-if,n,quiet)')).toBe('');
    expect(warnings).toEqual(['hello', 'init/Kconfig:42: careful']);
    expect(pp.expandString('$(error-if,n,fine)')).toBe('');
    expect(() => pp.expandString('$(error-if,y,broken compiler)')).toThrow('broken compiler');
  });

  test('a lone $ stays, a recursive self-reference and a missing ) are errors', () => {
    const { pp } = setup();
    expect(pp.expandString('cost $5')).toBe('cost $5');
    pp.assign('X', '=', '$(X)');
    expect(() => pp.expandString('$(X)')).toThrow(PreprocessError);
    expect(() => pp.expandString('$(shell,echo')).toThrow(/missing '\)'/);
    expect(() => pp.expandString('$(shell,a,b)')).toThrow(/too many function arguments/);
  });

  test('expandToken stops at the end of a word', () => {
    const { pp } = setup({ V: 'y' });
    expect(pp.expandToken('def_bool $(V) if X', 9)).toEqual({ out: 'y', end: 13 });
    expect(pp.expandToken('$(V)_SUFFIX rest', 0)).toEqual({ out: 'y_SUFFIX', end: 11 });
  });
});
