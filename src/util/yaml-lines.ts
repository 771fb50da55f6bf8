// What the YAML readers (profile, fleet file, workers file) share: YAML parsed with line numbers, and how a node is named in a problem.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml';

/**
 * The document, its line counter, and its problems, each after `at(line)` ("line N: " unless
 * given): syntax errors, and aliases (`*name`), which no tinyx file takes, so that nested ones
 * (a "billion laughs") are never expanded.
 */
export function parseWithLines(text: string, at: (line: number | string) => string = (line) => `line ${line}: `): { doc: Document; lines: LineCounter; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const problems = doc.errors.map((e) => `${at(e.linePos?.[0].line ?? '?')}${e.message.split('\n')[0]}`);
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => void aliases.push(node) });
  const first = aliases[0];
  if (first) {
    const count = aliases.length === 1 ? '' : ` (${aliases.length} aliases in the file)`;
    problems.push(`${at(first.range ? lines.linePos(first.range[0]).line : '?')}*${first.source}: YAML aliases (*name) are not supported; write the value out${count}`);
  }
  return { doc, lines, problems };
}

/** A mapping key as written. */
export function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** What a node is, for "expected X, received Y". */
export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return String(node);
}
