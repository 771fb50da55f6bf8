// The Kconfig macro language (preprocess.c): variables, $(shell,...) and friends, expanded in place.

/** What the preprocessor asks of the outside world; the only effects of parsing. */
export interface PreprocessHost {
  /** Run a command as popen() would (sh -c), returning its stdout. */
  shell(command: string): string;
  /** An environment variable as `make` exports it to conf. */
  env(name: string): string | undefined;
  warn(message: string): void;
}

interface Variable {
  value: string;
  flavor: 'simple' | 'recursive';
  expanding: number;
}

/** Thrown by $(error-if,...) and malformed references; the parser adds file and line. */
export class PreprocessError extends Error {}

const FUNCTIONS: Record<string, [number, number]> = {
  'error-if': [2, 2],
  filename: [0, 0],
  info: [1, 1],
  lineno: [0, 0],
  shell: [1, 1],
  'warning-if': [2, 2],
};

export class Preprocessor {
  private readonly vars = new Map<string, Variable>();
  /** The file and line being lexed, for $(filename), $(lineno) and messages. */
  file = '';
  line = 0;

  constructor(private readonly host: PreprocessHost) {}

  /** `name = value`, `name := value`, `name += value`. */
  assign(name: string, op: '=' | ':=' | '+=', value: string): void {
    const existing = this.vars.get(name);
    let flavor: Variable['flavor'] = op === ':=' ? 'simple' : 'recursive';
    const append = op === '+=' && existing !== undefined;
    if (append) flavor = existing.flavor;
    const expanded = flavor === 'simple' ? this.expandString(value) : value;
    if (append) existing.value = `${existing.value} ${expanded}`;
    else if (existing) Object.assign(existing, { value: expanded, flavor });
    else this.vars.set(name, { value: expanded, flavor, expanding: 0 });
  }

  expandString(text: string, args: string[] = []): string {
    return this.expandUntil(text, 0, () => false, args).out;
  }

  /** expand_one_token: from `pos`, up to the first character that cannot be in a word. */
  expandToken(text: string, pos: number): { out: string; end: number } {
    return this.expandUntil(text, pos, (c) => !/[A-Za-z0-9_-]/.test(c), []);
  }

  /** expand_dollar: `pos` is just after a `$`. */
  expandDollar(text: string, pos: number, args: string[] = []): { out: string; end: number } {
    if (text[pos] !== '(') return { out: '$', end: pos };
    let nest = 0;
    let q = pos + 1;
    for (; q < text.length; q++) {
      const c = text[q];
      if (c === '(') nest++;
      else if (c === ')' && nest-- === 0) break;
    }
    if (q >= text.length) throw new PreprocessError(`unterminated reference to '${text.slice(pos + 1)}': missing ')'`);
    return { out: this.evalClause(text.slice(pos + 1, q), args), end: q + 1 };
  }

  private expandUntil(text: string, pos: number, isEnd: (c: string) => boolean, args: string[]) {
    let out = '';
    let p = pos;
    let start = pos;
    while (p < text.length) {
      const c = text[p]!;
      if (c === '$') {
        out += text.slice(start, p);
        const r = this.expandDollar(text, p + 1, args);
        out += r.out;
        p = start = r.end;
        continue;
      }
      if (isEnd(c)) break;
      p++;
    }
    return { out: out + text.slice(start, p), end: p };
  }

  private evalClause(clause: string, args: string[]): string {
    if (/^\d+$/.test(clause)) {
      const n = Number(clause);
      if (n > 0 && n <= args.length) return args[n - 1]!;
    }
    const parts: string[] = [];
    let nest = 0;
    let prev = 0;
    for (let i = 0; i < clause.length; i++) {
      const c = clause[i];
      if (nest === 0 && c === ',') {
        parts.push(clause.slice(prev, i));
        prev = i + 1;
      } else if (c === '(') nest++;
      else if (c === ')') nest--;
    }
    parts.push(clause.slice(prev));
    if (parts.length > 16) throw new PreprocessError('too many function arguments');
    const name = this.expandString(parts[0]!, args);
    const argv = parts.slice(1).map((a) => this.expandString(a, args));
    const variable = this.vars.get(name);
    if (variable) return this.expandVariable(name, variable, argv);
    const fn = FUNCTIONS[name];
    if (fn) return this.callFunction(name, fn, argv);
    if (argv.length === 0) return this.host.env(name) ?? '';
    return '';
  }

  private expandVariable(name: string, v: Variable, argv: string[]): string {
    if (argv.length === 0 && v.expanding) throw new PreprocessError(`Recursive variable '${name}' references itself (eventually)`);
    if (v.expanding > 1000) throw new PreprocessError('Too deep recursive expansion');
    v.expanding++;
    try {
      return v.flavor === 'recursive' ? this.expandString(v.value, argv) : v.value;
    } finally {
      v.expanding--;
    }
  }

  private callFunction(name: string, [min, max]: [number, number], argv: string[]): string {
    if (argv.length < min) throw new PreprocessError(`too few function arguments passed to '${name}'`);
    if (argv.length > max) throw new PreprocessError(`too many function arguments passed to '${name}'`);
    switch (name) {
      case 'error-if':
        if (argv[0] === 'y') throw new PreprocessError(argv[1]!);
        return '';
      case 'filename':
        return this.file;
      case 'info':
        this.host.warn(argv[0]!);
        return '';
      case 'lineno':
        return String(this.line);
      case 'shell':
        return this.host.shell(argv[0]!);
      default:
        if (argv[0] === 'y') this.host.warn(`${this.file}:${this.line}: ${argv[1]}`);
        return '';
    }
  }
}
