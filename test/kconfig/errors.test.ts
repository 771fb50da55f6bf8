// Malformed Kconfig trees fail with TINYX_KCONFIG_PARSE naming the file and line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { loadKconfig } from '../../src/kconfig/engine.js';

const ROOT = path.join(import.meta.dirname, '..', 'fixtures', 'kconfig', 'errors');
const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));

const CASES: [string, RegExp][] = [
  ['unknown-statement', /^Kconfig:4: unknown statement "frobnicate"/],
  ['missing-endmenu', /missing endmenu for the menu opened at Kconfig:1/],
  ['bad-expression', /^Kconfig:3: syntax error/],
  ['end-mismatch', /^Kconfig:4: unexpected 'endif' within menu block/],
  ['missing-source', /^Kconfig:3: can't open file "does\/not\/exist"/],
  ['error-if', /^Kconfig:4: this tree refuses to parse/],
  ['unterminated-macro', /^Kconfig:3: unterminated reference/],
  ['bad-option', /^Kconfig:3: unknown statement "visible"/],
];

test.each(CASES)('%s', async (name, message) => {
  const error = await loadKconfig(path.join(ROOT, name), { cacheDir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTinyxError(error, 'TINYX_KCONFIG_PARSE')).toBe(true);
  expect((error as Error).message).toMatch(message);
});

test('a missing top-level Kconfig is a parse error too', async () => {
  await expect(loadKconfig(path.join(ROOT, 'no-such-case'), { cacheDir })).rejects.toMatchObject({ code: 'TINYX_KCONFIG_PARSE' });
});
