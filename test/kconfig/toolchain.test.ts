// $(shell,...) answers are cached on disk, keyed by the toolchain, and reused by the next load.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { loadKconfig } from '../../src/kconfig/engine.js';

test('the first load records shell answers; a later load uses them instead of running the commands', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-shell-'));
  writeFileSync(path.join(dir, 'Kconfig'), 'config V\n\tstring\n\tdefault "$(shell,echo probe)"\n');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));
  expect((await loadKconfig(dir, { cacheDir })).resolve(new Map()).get('V')).toBe('"probe"');
  const [file] = readdirSync(path.join(cacheDir, 'kconfig'));
  expect(file).toMatch(/^shell-[0-9a-f]{16}\.json$/);
  const cachePath = path.join(cacheDir, 'kconfig', file!);
  const answers = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, string>;
  expect(answers['echo probe']).toBe('probe');
  // Doctor the cache: the next load must believe it rather than rerun the command.
  writeFileSync(cachePath, JSON.stringify({ ...answers, 'echo probe': 'cached' }));
  expect((await loadKconfig(dir, { cacheDir })).resolve(new Map()).get('V')).toBe('"cached"');
  // Another compiler is another cache.
  expect((await loadKconfig(dir, { cacheDir, vars: { CC: 'cc' } })).resolve(new Map()).get('V')).toBe('"probe"');
  expect(readdirSync(path.join(cacheDir, 'kconfig')).length).toBe(2);
});

test('make variables reach the macros: ARCH decides the mainmenu text of the kernel tree', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-arch-'));
  writeFileSync(path.join(dir, 'Kconfig'), 'mainmenu "Linux/$(ARCH) on $(SRCARCH)"\nconfig A\n\tdef_bool "$(ARCH)" = "x86"\n');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cache-'));
  const x86 = await loadKconfig(dir, { cacheDir, arch: 'x86' });
  expect(x86.resolveText(new Map())).toBe('#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 on x86\n#\nCONFIG_A=y\n');
  const x64 = await loadKconfig(dir, { cacheDir });
  expect(x64.resolve(new Map()).get('A')).toBeUndefined();
});
