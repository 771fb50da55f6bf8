// `tinyx kconfig ...` through kconfigCommand, on the real tree (skipped without it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { kconfigCommand } from '../../src/cli/kconfig.js';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { haveKernel, KERNEL_SRC } from './realconf.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await kconfigCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-cli-'));
const config = path.join(dir, 'start.config');
writeFileSync(config, ['CONFIG_64BIT=y', 'CONFIG_NET=y', 'CONFIG_INET=y', 'CONFIG_PRINTK=y', 'CONFIG_TTY=y', '# CONFIG_MODULES is not set', ''].join('\n'));

test('usage errors are TINYX_USAGE', async () => {
  await expect(run([])).rejects.toMatchObject({ code: 'TINYX_USAGE' });
  await expect(run(['resolve'])).rejects.toMatchObject({ code: 'TINYX_USAGE' });
  await expect(run(['explain', '--config', config])).rejects.toMatchObject({ code: 'TINYX_USAGE' });
  await expect(run(['frob', '--config', config])).rejects.toMatchObject({ code: 'TINYX_USAGE' });
  expect((await run(['--help'])).stdout).toMatch(/candidates/);
});

test('an unreadable config is TINYX_CONFIG_INVALID', async () => {
  await expect(run(['resolve', '--config', path.join(dir, 'missing')])).rejects.toMatchObject({ code: 'TINYX_CONFIG_INVALID' });
});

describe.skipIf(!haveKernel)('on the kernel tree', () => {
  const src = ['--kernel-src', KERNEL_SRC];

  test('resolve prints the .config olddefconfig would write', async () => {
    const r = await run(['resolve', '--config', config, ...src]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#\n# Automatically generated file; DO NOT EDIT\.\n# Linux\/x86_64 6\.1\.\d+ Kernel Configuration\n#\n/);
    const resolved = parseDotConfig(r.stdout);
    expect(resolved.get('NET')).toBe('y');
    expect(resolved.get('MODULES')).toBe('n');
    expect(r.stdout).toMatch(/# end of General setup/);
    const json = JSON.parse((await run(['resolve', '--config', config, '--json', ...src])).stdout) as Record<string, string>;
    expect(json.INET).toBe('y');
  });

  test('explain names the prompt, file and why', async () => {
    const r = await run(['explain', 'CONFIG_INET', '--config', config, ...src]);
    expect(r.stdout).toMatch(/^CONFIG_INET \(bool\) = y/);
    expect(r.stdout).toMatch(/prompt: "TCP\/IP networking" at net\/Kconfig:\d+/);
    expect(r.stdout).toMatch(/depends on: NET \[y\]/);
    await expect(run(['explain', 'NOT_A_SYMBOL', '--config', config, ...src])).rejects.toMatchObject({ code: 'TINYX_KCONFIG_UNKNOWN_SYMBOL' });
  });

  test('candidates list removable options with their menus', async () => {
    const r = await run(['candidates', '--config', config, '--json', ...src]);
    const list = JSON.parse(r.stdout) as { name: string; menuPath: string[]; parent?: string }[];
    expect(list.find((c) => c.name === 'INET')).toMatchObject({ menuPath: ['Networking support', 'Networking options'], parent: 'NET' });
    expect(list.some((c) => c.name === '64BIT')).toBe(false); // forced on with ARCH=x86_64
    const x86 = JSON.parse((await run(['candidates', '--config', config, '--json', '--arch', 'x86', ...src])).stdout) as { name: string }[];
    expect(x86.some((c) => c.name === '64BIT')).toBe(true);
  });
});
