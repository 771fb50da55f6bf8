// workers.yaml: the list of worker hosts (url, identity, slots, kernelSrc, knownHosts | fingerprint).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { parseWithLines } from '../util/yaml-lines.js';
import { parseWorkerUrl } from './url.js';

export interface WorkerSpec {
  url: string;
  identity?: string;
  slots: number;
  kernelSrc?: string;
  knownHosts?: string[];
  fingerprint?: string;
}

const KEYS = new Set(['url', 'identity', 'slots', 'kernelSrc', 'knownHosts', 'fingerprint']);

export async function loadWorkersFile(file: string): Promise<WorkerSpec[]> {
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new TinyxError('TINYX_USAGE', `Cannot read the workers file ${file}.`, { cause, advice: 'Pass --workers with a readable workers.yaml (see docs/workers.md).' });
  });
  return parseWorkersFile(text, file);
}

/** Parses and checks workers.yaml; every problem names its line. Relative paths are relative to the file. */
export function parseWorkersFile(text: string, file = 'workers.yaml'): WorkerSpec[] {
  const { doc, lines, problems } = parseWithLines(text, (line) => `${file}:${line}: `);
  // Syntax errors and aliases first: the document is not turned into values (toJS would expand aliases).
  if (problems.length > 0) throw invalid(problems);
  const at = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? `${file}:${lines.linePos(range[0]).line}` : file;
  };
  const root = doc.contents as { items?: unknown[] } | null;
  const list = (doc.toJS() as { workers?: unknown } | unknown[] | null);
  const items = Array.isArray(list) ? list : Array.isArray((list as { workers?: unknown } | null)?.workers) ? (list as { workers: unknown[] }).workers : undefined;
  if (!items) problems.push(`${file}: expected a list of workers (or workers: [...]), got ${typeof list}`);
  const nodes = (Array.isArray(list) ? root?.items : ((root?.items?.[0] as { value?: { items?: unknown[] } } | undefined)?.value?.items)) ?? [];
  const base = path.dirname(file);
  const specs: WorkerSpec[] = [];
  (items ?? []).forEach((raw, index) => {
    const where = at(nodes[index]);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return problems.push(`${where}: a worker must be a mapping with url:, got ${JSON.stringify(raw)}`);
    const w = raw as Record<string, unknown>;
    for (const key of Object.keys(w)) if (!KEYS.has(key)) problems.push(`${where}: unknown key "${key}" (expected one of ${[...KEYS].join(', ')})`);
    const str = (key: string) => {
      const value = w[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') problems.push(`${where}: ${key} must be a string, got ${JSON.stringify(value)}`);
      return typeof value === 'string' ? value : undefined;
    };
    const url = str('url');
    if (!url) problems.push(`${where}: url is required (ssh://user@host[:port])`);
    else try { parseWorkerUrl(url); } catch (error) { problems.push(`${where}: ${(error as Error).message}`); }
    const slots = w.slots ?? 1;
    if (typeof slots !== 'number' || !Number.isInteger(slots) || slots < 1 || slots > 64) problems.push(`${where}: slots must be an integer from 1 to 64, got ${JSON.stringify(slots)}`);
    const knownHostsRaw = w.knownHosts;
    const knownHosts = typeof knownHostsRaw === 'string' ? [knownHostsRaw] : Array.isArray(knownHostsRaw) && knownHostsRaw.every((k) => typeof k === 'string') ? knownHostsRaw as string[] : undefined;
    if (knownHostsRaw !== undefined && !knownHosts) problems.push(`${where}: knownHosts must be a file path or a list of them`);
    const fingerprint = str('fingerprint');
    if (fingerprint && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(fingerprint)) problems.push(`${where}: fingerprint must look like SHA256:<43 base64 characters> (ssh-keygen -lf KEY.pub), got ${fingerprint}`);
    if (fingerprint && knownHosts) problems.push(`${where}: give knownHosts or fingerprint, not both`);
    const identity = str('identity');
    const resolve = (p: string) => path.resolve(base, p.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
    specs.push({
      url: url ?? '', slots: typeof slots === 'number' ? slots : 1, kernelSrc: str('kernelSrc'), fingerprint,
      ...(identity ? { identity: resolve(identity) } : {}), ...(knownHosts ? { knownHosts: knownHosts.map(resolve) } : {}),
    });
  });
  if (problems.length > 0) throw invalid(problems);
  return specs;
}

function invalid(problems: string[]): TinyxError {
  return new TinyxError('TINYX_USAGE', `Invalid workers file:\n  ${problems.join('\n  ')}`, { advice: 'See docs/workers.md for the format.' });
}
