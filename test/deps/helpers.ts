// Test helpers: temp dirs and gcc builds of the C fixtures in test/fixtures/deps.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/deps');
export const REPO = path.resolve(import.meta.dirname, '../..');

export async function tempDir(prefix = 'tinyx-deps-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** gcc with the given arguments; fixtures are referenced by bare name. */
export async function gcc(args: string[], cwd: string): Promise<void> {
  await execa('gcc', args.map((a) => (a.endsWith('.c') && !a.includes('/') ? path.join(FIXTURES, a) : a)), { cwd });
}

/** Builds examples/hello-http/build/server with its Makefile and returns its path. */
export async function buildExampleServer(): Promise<string> {
  await execa('make', ['-s', '-C', path.join(REPO, 'examples/hello-http')]);
  return path.join(REPO, 'examples/hello-http/build/server');
}
