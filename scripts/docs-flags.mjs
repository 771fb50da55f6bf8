#!/usr/bin/env node
// Rewrites docs/flags.md's flag tables (between <!-- flags:NAME --> markers) from the flag definitions
// in src/flags/, as compiled into dist/ (`npm run docs:flags` compiles first). --check only
// says whether they are current (exit 1 when not).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { FLAGS_PAGE, rewriteFlagsPage } = await import(path.join(root, 'dist/flags/docs.js'));
const file = path.join(root, FLAGS_PAGE);
const text = await readFile(file, 'utf8');
const next = rewriteFlagsPage(text);

if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error(`${FLAGS_PAGE}: the flag tables differ from the definitions; run \`npm run docs:flags\``);
    process.exit(1);
  }
  console.log(`${FLAGS_PAGE}: the flag tables are current`);
} else if (next === text) {
  console.log(`${FLAGS_PAGE}: the flag tables are current`);
} else {
  await writeFile(file, next);
  console.log(`${FLAGS_PAGE}: flag tables rewritten`);
}
