// docs/flags.md's flag tables are exactly what the flag definitions render (regenerate: npm run docs:flags).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentSection, FLAG_SECTIONS, FLAGS_PAGE, flagSection, rewriteFlagsPage } from '../../src/flags/docs.js';

const page = readFileSync(path.resolve(__dirname, '../..', FLAGS_PAGE), 'utf8');

describe('docs flag tables', () => {
  for (const name of FLAG_SECTIONS) {
    it(`${FLAGS_PAGE} holds the ${name} table the definitions render`, () => {
      const current = currentSection(page, name);
      expect(current, `${FLAGS_PAGE} lacks <!-- flags:${name} --> ... <!-- /flags:${name} -->`).toBeDefined();
      expect(current, `${FLAGS_PAGE} differs from the flag definitions: run \`npm run docs:flags\``).toBe(flagSection(name));
    });
  }

  it('rewrites only what is between the markers', () => {
    const stale = 'intro\n<!-- flags:minimize -->\nold\n<!-- /flags:minimize -->\nafter\n';
    const all = FLAG_SECTIONS.map((n) => `<!-- flags:${n} -->\n<!-- /flags:${n} -->\n`).join('');
    const text = rewriteFlagsPage(stale.replace('<!-- flags:minimize -->\nold\n<!-- /flags:minimize -->\n', all));
    expect(text.startsWith('intro\n<!-- flags:minimize -->\n\n**')).toBe(true);
    expect(text.endsWith('<!-- /flags:worker -->\nafter\n')).toBe(true);
    expect(rewriteFlagsPage(text)).toBe(text);
    expect(() => rewriteFlagsPage('no markers\n')).toThrow(/lacks the markers <!-- flags:minimize -->/);
  });
});
