// Kconfig lexer (lexer.l): one file into statements of tokens, expanding macros as it goes.
import type { Preprocessor } from './preprocess.js';

export const KEYWORDS = new Set([
  'bool', 'choice', 'comment', 'config', 'def_bool', 'def_tristate', 'default', 'depends', 'endchoice',
  'endif', 'endmenu', 'help', 'hex', 'if', 'imply', 'int', 'mainmenu', 'menu', 'menuconfig', 'modules',
  'on', 'optional', 'prompt', 'range', 'select', 'source', 'string', 'tristate', 'visible', 'transitional',
]);

export type Tok =
  | { t: 'kw'; v: string }
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string };

export interface Statement {
  toks: Tok[];
  line: number;
  /** `help` text, when the statement is `help`. */
  help?: string;
  /** `NAME = value` and friends: the raw, unexpanded value. */
  assign?: { name: string; op: '=' | ':=' | '+='; value: string };
}

const OPS2 = ['||', '&&', '!=', '<=', '>=', ':=', '+='];
const OPS1 = '=<>!()';
const WORD = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') WORD[c.charCodeAt(0)] = 1;
const isWordChar = (c: string | undefined) => c !== undefined && WORD[c.charCodeAt(0)] === 1;

export function* lexStatements(text: string, pp: Preprocessor): Generator<Statement> {
  let pos = 0;
  let line = 1;
  let toks: Tok[] = [];
  let first = 0;
  while (pos <= text.length) {
    const c = text[pos];
    if (c === undefined || c === '\n') {
      pos++;
      if (toks.length) {
        const st: Statement = { toks, line: first };
        if (toks.length === 1 && toks[0]!.t === 'kw' && toks[0]!.v === 'help') {
          const help = readHelp(text, pos);
          st.help = help.text;
          line += help.lines;
          pos = help.end;
        }
        toks = [];
        yield st;
      }
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { pos++; continue; }
    if (c === '\\' && text[pos + 1] === '\n') { pos += 2; line++; continue; }
    if (c === '#') {
      while (pos < text.length && text[pos] !== '\n') pos++;
      continue;
    }
    if (!toks.length) first = line;
    pp.line = line;
    const two = OPS1.includes(c) || c === '|' || c === '&' || c === ':' || c === '+' ? text.slice(pos, pos + 2) : '';
    if (OPS2.includes(two) || OPS1.includes(c)) {
      const op = OPS2.includes(two) ? two : c;
      pos += op.length;
      if ((op === '=' || op === ':=' || op === '+=') && toks.length === 1 && toks[0]!.t === 'word') {
        const end = text.indexOf('\n', pos) < 0 ? text.length : text.indexOf('\n', pos);
        const value = text.slice(pos, end).replace(/^[ \t]+/, '');
        yield { toks: [toks[0]!, { t: 'op', v: op }], line: first, assign: { name: toks[0]!.v, op, value } };
        toks = [];
        pos = end;
        continue;
      }
      toks.push({ t: 'op', v: op });
      continue;
    }
    if (c === '"' || c === "'") {
      const r = readString(text, pos + 1, c, pp);
      toks.push({ t: 'str', v: r.value });
      pos = r.end;
      continue;
    }
    if (isWordChar(c) || c === '$') {
      let end = pos;
      while (isWordChar(text[end]) || text[end] === '$') end++;
      const raw = text.slice(pos, end);
      if (!raw.includes('$')) {
        toks.push(KEYWORDS.has(raw) ? { t: 'kw', v: raw } : { t: 'word', v: raw });
        pos = end;
        continue;
      }
      const r = pp.expandToken(text.slice(0, text.indexOf('\n', pos) < 0 ? text.length : text.indexOf('\n', pos)), pos);
      if (r.out.length) toks.push({ t: 'word', v: r.out });
      pos = r.end;
      continue;
    }
    pos++; // the kernel warns about and ignores stray characters
  }
}

function readString(text: string, pos: number, quote: string, pp: Preprocessor): { value: string; end: number } {
  let value = '';
  let p = pos;
  while (p < text.length) {
    const c = text[p]!;
    if (c === quote) return { value, end: p + 1 };
    if (c === '\n') return { value, end: p };
    if (c === '\\') {
      const next = text[p + 1];
      if (next !== undefined && next !== '\n') value += next;
      p += next === undefined || next === '\n' ? 1 : 2;
      continue;
    }
    if (c === '$') {
      const eol = text.indexOf('\n', p);
      const r = pp.expandDollar(text.slice(0, eol < 0 ? text.length : eol), p + 1);
      value += r.out;
      p = r.end;
      continue;
    }
    value += c;
    p++;
  }
  return { value, end: p };
}

/** The HELP state: indented lines after `help`, up to the first line indented less than the first. */
function readHelp(text: string, start: number): { text: string; end: number; lines: number } {
  let out = '';
  let pos = start;
  let firstTs = 0;
  let lines = 0;
  while (pos < text.length) {
    let p = pos;
    let ts = 0;
    while (text[p] === ' ' || text[p] === '\t') {
      ts = text[p] === '\t' ? (ts & ~7) + 8 : ts + 1;
      p++;
    }
    const eol = text.indexOf('\n', p) < 0 ? text.length : text.indexOf('\n', p);
    if (p === eol) {
      // blank line: ends the help if the next line starts in column 0
      const next = text[eol + 1];
      if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\n') return { text: out, end: eol + 1, lines: lines + 1 };
      out += '\n';
      pos = eol + 1;
      lines++;
      continue;
    }
    if (p > pos && firstTs && ts < firstTs) return { text: out, end: pos, lines };
    if (p === pos && firstTs) return { text: out, end: pos, lines };
    if (firstTs) out += ' '.repeat(ts - firstTs);
    out += text.slice(p, eol).replace(/[ \t]+$/, '') + '\n';
    if (!firstTs) firstTs = ts;
    pos = eol + 1;
    lines++;
    if (eol >= text.length) break;
  }
  return { text: out, end: pos, lines };
}
