#!/usr/bin/env node
// Rewrites README.md's flag tables (between <!-- flags:NAME --> markers) from the flag definitions
// in src/cli/flags/, as compiled into dist/ (`npm run readme:flags` compiles first). --check only
// says whether they are current (exit 1 when not).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { rewriteReadme } = await import(path.join(root, 'dist/cli/flags/readme.js'));
const file = path.join(root, 'README.md');
const text = await readFile(file, 'utf8');
const next = rewriteReadme(text);

if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('README.md: the flag tables differ from the definitions; run `npm run readme:flags`');
    process.exit(1);
  }
  console.log('README.md: the flag tables are current');
} else if (next === text) {
  console.log('README.md: the flag tables are current');
} else {
  await writeFile(file, next);
  console.log('README.md: flag tables rewritten');
}
