// What the profile and the fleet file readers share: YAML parsed with line numbers, and how a node is named in a problem.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

/** The document, its line counter, and its syntax errors as "line N: ..." problems. */
export function parseWithLines(text: string): { doc: Document; lines: LineCounter; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return { doc, lines, problems: doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`) };
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
