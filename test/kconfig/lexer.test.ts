// The lexer: statements, strings, continuations, assignments, help text, macros inside words.
import { expect, test } from 'vitest';
import { lexStatements } from '../../src/kconfig/lexer.js';
import { Preprocessor } from '../../src/kconfig/preprocess.js';

const pp = () => new Preprocessor({ shell: () => 'y', env: (n) => (n === 'ARCH' ? 'x86_64' : undefined), warn: () => {} });
const lex = (text: string) => [...lexStatements(text, pp())];

test('statements carry their first line, keywords and words apart', () => {
  const st = lex('\n# comment\nconfig FOO # trailing\n\tbool "Foo \\"bar\\"" if A && !B\n');
  expect(st.map((s) => s.line)).toEqual([3, 4]);
  expect(st[0]!.toks).toEqual([{ t: 'kw', v: 'config' }, { t: 'word', v: 'FOO' }]);
  expect(st[1]!.toks).toEqual([
    { t: 'kw', v: 'bool' }, { t: 'str', v: 'Foo "bar"' }, { t: 'kw', v: 'if' },
    { t: 'word', v: 'A' }, { t: 'op', v: '&&' }, { t: 'op', v: '!' }, { t: 'word', v: 'B' },
  ]);
});

test('a backslash-newline continues the statement', () => {
  const st = lex('\tdepends on A || \\\n\t\tB\nconfig C\n');
  expect(st[0]!.toks.map((t) => t.v)).toEqual(['depends', 'on', 'A', '||', 'B']);
  expect(st[1]!.line).toBe(3);
});

test('assignments keep the raw value', () => {
  const st = lex('cc-option = $(success,$(CC) -Werror $(1)) # not a comment\nX :=\n');
  expect(st[0]!.assign).toEqual({ name: 'cc-option', op: '=', value: '$(success,$(CC) -Werror $(1)) # not a comment' });
  expect(st[1]!.assign).toEqual({ name: 'X', op: ':=', value: '' });
});

test('help text: indentation relative to the first line, ends at a shallower line', () => {
  const st = lex('config A\n\tbool "a"\n\thelp\n\t  First line.\n\t    indented\n\n\t  After a blank.\nconfig B\n');
  expect(st[2]!.help).toBe('First line.\n  indented\n\nAfter a blank.\n');
  expect(st[3]!.toks[1]).toEqual({ t: 'word', v: 'B' });
  expect(st[3]!.line).toBe(8);
});

test('help ends at a line indented less than its first line', () => {
  const st = lex('config A\n\thelp\n\t  text\n\tdepends on B\n');
  expect(st[1]!.help).toBe('text\n');
  expect(st[2]!.toks.map((t) => t.v)).toEqual(['depends', 'on', 'B']);
  expect(st[2]!.line).toBe(4);
});

test('macros expand inside words and strings; an empty expansion is no token', () => {
  const st = lex('mainmenu "Linux/$(ARCH)"\nconfig X\n\tdef_bool $(shell,true)\n\tdepends on $(EMPTY)\n');
  expect(st[0]!.toks[1]).toEqual({ t: 'str', v: 'Linux/x86_64' });
  expect(st[2]!.toks[1]).toEqual({ t: 'word', v: 'y' });
  expect(st[3]!.toks.map((t) => t.v)).toEqual(['depends', 'on']);
});
