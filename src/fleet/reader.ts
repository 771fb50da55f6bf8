// Reads a fleet file's YAML: each problem as "line N: ...", values as minimize's flags take them, host paths made absolute.
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { describeNode, keyName, parseWithLines } from '../util/yaml-lines.js';
import type { Flag } from '../flags/flag.js';
import { MINIMIZE_FLAGS } from '../flags/minimize.js';
import { didYouMean } from '../util/suggest.js';

/** A flag's value as written: a string, a boolean flag's truth, or a repeatable flag's values. */
export type FlagValue = string | boolean | string[];

const FLAGS: Record<string, Flag> = MINIMIZE_FLAGS;
/** Flags whose values are host paths, resolved against the fleet file's folder. */
const PATH_FLAGS = new Set(['app', 'image', 'tests', 'workers', 'identity', 'known-hosts']);

/** One value being read: its node, its key's node (for the line when the value has none), its path in the file. */
interface Field {
  node: Node | null;
  keyNode: unknown;
  where: string;
}

/** Walks the YAML document, collecting "line N: ..." problems. */
export class Reader {
  readonly doc: Document;
  readonly problems: string[];
  private readonly lines: LineCounter;

  constructor(text: string, private readonly dir: string) {
    ({ doc: this.doc, lines: this.lines, problems: this.problems } = parseWithLines(text));
  }

  line(node: unknown): number {
    const offset = (node as Node | null)?.range?.[0];
    return offset === undefined ? 0 : this.lines.linePos(offset).line;
  }

  at(node: unknown): string {
    const line = this.line(node);
    return line ? `line ${line}: ` : '';
  }

  resolve(value: string): string {
    return path.resolve(this.dir, value);
  }

  pair(map: Node, key: string): Pair<Node, Node> | undefined {
    if (!isMap(map)) return undefined;
    return map.items.find((p) => keyName(p.key) === key) as Pair<Node, Node> | undefined;
  }

  /** `line N: unknown key "tets" under apps.web (did you mean "tests"?)`, or what `why` says of a key that is known elsewhere. */
  unknownKeys(map: Node, known: readonly string[], where: string, why: (key: string) => string | undefined = () => undefined): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const key = keyName(pair.key);
      if (known.includes(key)) continue;
      const reason = why(key);
      this.problems.push(`${this.at(pair.key)}${reason ? `"${key}" ${where}: ${reason}` : `unknown key "${key}" ${where}${didYouMean(key, known)}`}`);
    }
  }

  /** A string (a number is taken as written); undefined, with a problem, for anything else. */
  scalar(pair: Pair<Node, Node>, where: string): string | undefined {
    const node = pair.value;
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    this.problems.push(`${this.at(node ?? pair.key)}${where}: expected a string, received ${describe(node)}`);
    return undefined;
  }

  /** A mapping of flag names to values (an app, `defaults`, `execution`), each value read as its flag takes it. */
  flagMap(pair: Pair<Node, Node> | undefined, where: string, known: readonly string[], why?: (key: string) => string | undefined): { flags: Record<string, FlagValue>; args?: string[] } {
    const flags: Record<string, FlagValue> = {};
    if (!pair || pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return { flags };
    const map = pair.value;
    if (!isMap(map)) {
      this.problems.push(`${this.at(map)}${where}: expected a mapping of minimize's flag names to values, received ${describe(map)}`);
      return { flags };
    }
    this.unknownKeys(map, known, `under ${where}`, why);
    let args: string[] | undefined;
    for (const item of map.items) {
      const key = keyName(item.key);
      if (!known.includes(key)) continue;
      const field = { node: (item.value ?? null) as Node | null, keyNode: item.key, where: `${where}.${key}` };
      if (key === 'args') args = this.strings(field);
      else {
        const read = this.flagValue(FLAGS[key]!, key, field);
        if (read !== undefined) flags[key] = read;
      }
    }
    return { flags, ...(args ? { args } : {}) };
  }

  private flagValue(flag: Flag, key: string, field: Field): FlagValue | undefined {
    const { node } = field;
    if (flag.type === 'boolean') {
      if (isScalar(node) && typeof node.value === 'boolean') return node.value;
      return this.fail(field, 'true or false');
    }
    if (flag.multiple) {
      // `env` also takes a mapping, KEY: VALUE.
      const list = key === 'env' && isMap(node)
        ? node.items.map((p) => `${keyName(p.key)}=${isScalar(p.value) ? String(p.value.value ?? '') : ''}`)
        : this.strings(field);
      return list?.map((v) => this.pathOf(key, v));
    }
    // A list of option names is natural for --candidates (A,B,...).
    if (key === 'candidates' && isSeq(node)) return this.strings(field)?.join(',');
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return this.pathOf(key, String(node.value));
    return this.fail(field, flag.value ? `${flag.value} (a string)` : 'a string');
  }

  private strings(field: Field): string[] | undefined {
    const { node } = field;
    if (!isSeq(node)) return this.fail(field, 'a list');
    const out: string[] = [];
    for (const item of node.items) {
      if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) out.push(String(item.value));
      else this.fail({ ...field, node: item as Node }, 'a string in the list');
    }
    return out;
  }

  /** `line N: apps.web.port: expected ..., received ...` (the key's line when the value has none). */
  private fail(field: Field, expected: string): undefined {
    this.problems.push(`${this.at(field.node) || this.at(field.keyNode)}${field.where}: expected ${expected}, received ${describe(field.node)}`);
    return undefined;
  }

  /** Host paths are relative to the fleet file: app, tests, an --include's host side, a profile or a kernel given as a path. */
  private pathOf(key: string, value: string): string {
    if (PATH_FLAGS.has(key)) return this.resolve(value);
    if (key === 'include') {
      const at = value.indexOf(':');
      return at === -1 ? this.resolve(value) : `${this.resolve(value.slice(0, at))}${value.slice(at)}`;
    }
    if (key === 'profile' && (value.includes('/') || /\.ya?ml$/.test(value))) return this.resolve(value);
    return value;
  }
}

/** What a node is, for "expected X, received Y" (shared with the profile reader). */
export const describe = describeNode;
