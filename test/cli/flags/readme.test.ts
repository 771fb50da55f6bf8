// README.md's flag tables are exactly what the flag definitions render (regenerate: npm run readme:flags).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentSection, README_SECTIONS, readmeSection, rewriteReadme } from '../../../src/cli/flags/readme.js';

const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe('README flag tables', () => {
  for (const name of README_SECTIONS) {
    it(`README.md holds the ${name} table the definitions render`, () => {
      const current = currentSection(readme, name);
      expect(current, `README.md lacks <!-- flags:${name} --> ... <!-- /flags:${name} -->`).toBeDefined();
      expect(current, 'README.md differs from the flag definitions: run `npm run readme:flags`').toBe(readmeSection(name));
    });
  }

  it('rewrites only what is between the markers', () => {
    const stale = 'intro\n<!-- flags:minimize -->\nold\n<!-- /flags:minimize -->\nafter\n';
    const all = README_SECTIONS.map((n) => `<!-- flags:${n} -->\n<!-- /flags:${n} -->\n`).join('');
    const text = rewriteReadme(stale.replace('<!-- flags:minimize -->\nold\n<!-- /flags:minimize -->\n', all));
    expect(text.startsWith('intro\n<!-- flags:minimize -->\n\n**')).toBe(true);
    expect(text.endsWith('<!-- /flags:worker -->\nafter\n')).toBe(true);
    expect(rewriteReadme(text)).toBe(text);
    expect(() => rewriteReadme('no markers\n')).toThrow(/lacks the markers <!-- flags:minimize -->/);
  });
});
