// The engine against the kernel's own tools on the full x86 tree: olddefconfig and savedefconfig, symbol for symbol.
// The kernel tools' answers are cached under <cache>/kconfig-test/expected (TINYX_KCONFIG_COMPAT_FRESH=1 reruns them).
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { kernelTool } from './kerneltools.js';
import { haveKernel, KERNEL_SRC } from './realconf.js';

const CLOUD = '/usr/src/linux-config-6.1/config.amd64_none_cloud-amd64.xz';
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** A deterministic edit of a config: flips ~8% of the options and drops a few lines. */
function perturb(text: string, seed: number): string {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return text
    .split('\n')
    .flatMap((line) => {
      const r = rnd();
      const set = /^CONFIG_(\w+)=(y|m)$/.exec(line);
      const unset = /^# CONFIG_(\w+) is not set$/.exec(line);
      if (set && r < 0.08) return [set[2] === 'y' ? `# CONFIG_${set[1]} is not set` : `CONFIG_${set[1]}=y`];
      if (unset && r < 0.08) return [`CONFIG_${unset[1]}=y`];
      if (unset && r < 0.1) return [`CONFIG_${unset[1]}=m`];
      if (line.startsWith('CONFIG_') && r > 0.97) return [];
      return [line];
    })
    .join('\n');
}

interface Row { label: string; symbols: number; agree: number; sameOrder: boolean; mismatches: string[] }

function compare(label: string, got: DotConfig, want: DotConfig): Row {
  const names = new Set([...got.keys(), ...want.keys()]);
  const mismatches = [...names].filter((n) => got.get(n) !== want.get(n));
  const a = [...got.keys()];
  const b = [...want.keys()];
  const sameOrder = a.length === b.length && a.every((k, i) => k === b[i]);
  return { label, symbols: names.size, agree: names.size - mismatches.length, sameOrder, mismatches: mismatches.slice(0, 10).map((n) => `${n}: engine ${got.get(n) ?? '(absent)'}, kernel ${want.get(n) ?? '(absent)'}`) };
}

function report(title: string, rows: Row[]): void {
  const total = rows.reduce((t, r) => t + r.symbols, 0);
  const agree = rows.reduce((t, r) => t + r.agree, 0);
  const lines = rows.map((r) => `  ${r.label.padEnd(28)} ${String(r.agree).padStart(5)}/${String(r.symbols).padEnd(5)} ${((100 * r.agree) / r.symbols).toFixed(2).padStart(6)}%  order ${r.sameOrder ? 'same' : 'DIFFERENT'}${r.mismatches.length ? `\n    ${r.mismatches.join('\n    ')}` : ''}`);
  console.log(`${title}: ${agree}/${total} symbols agree (${((100 * agree) / total).toFixed(3)}%), ${rows.filter((r) => r.agree === r.symbols).length}/${rows.length} configs exact\n${lines.join('\n')}`);
}

describe.skipIf(!haveKernel)('full tree vs make (ARCH=x86_64)', () => {
  let model: KconfigModel;
  beforeAll(async () => {
    model = await loadKconfig(KERNEL_SRC, { arch: 'x86_64' });
  }, 120_000);

  test('olddefconfig agrees symbol for symbol', async () => {
    const arch = 'x86_64' as const;
    const inputs: { label: string; input: Promise<string> }[] = [];
    for (const target of ['tinyconfig', 'defconfig']) {
      const base = kernelTool({ target, arch });
      inputs.push({ label: target, input: base }, { label: `${target} perturbed`, input: base.then((t) => perturb(t, 7)) });
    }
    if (existsSync(CLOUD)) inputs.push({ label: 'debian cloud-amd64', input: execa('xz', ['-dc', CLOUD]).then((r) => r.stdout) });
    for (const seed of SEEDS) {
      const rand = kernelTool({ target: 'randconfig', seed, arch });
      inputs.push({ label: `randconfig seed ${seed}`, input: rand });
      inputs.push({ label: `randconfig ${seed} perturbed`, input: rand.then((t) => perturb(t, seed)) });
    }
    const rows = await Promise.all(inputs.map(async ({ label, input }) => {
      const text = await input;
      const want = parseDotConfig(await kernelTool({ target: 'olddefconfig', input: text, arch }));
      return compare(label, model.resolve(parseDotConfig(text)), want);
    }));
    report('olddefconfig agreement', rows);
    expect(rows.flatMap((r) => r.mismatches)).toEqual([]);
    expect(rows.every((r) => r.sameOrder)).toBe(true);
  }, 15 * 60_000);

  test('savedefconfig reproduces the kernel\'s minimal fragment', async () => {
    const arch = 'x86_64' as const;
    const bases = [kernelTool({ target: 'defconfig', arch }), kernelTool({ target: 'tinyconfig', arch }), kernelTool({ target: 'randconfig', seed: 3, arch })];
    if (existsSync(CLOUD)) bases.push(execa('xz', ['-dc', CLOUD]).then((r) => kernelTool({ target: 'olddefconfig', input: r.stdout, arch })));
    const results = await Promise.all(bases.map(async (b) => {
      const config = await b;
      return { want: await kernelTool({ target: 'savedefconfig', input: config, arch }), got: model.savedefconfig(parseDotConfig(config)) };
    }));
    console.log(`savedefconfig: ${results.filter((r) => r.got === r.want).length}/${results.length} fragments identical`);
    for (const r of results) expect(r.got).toBe(r.want);
  }, 15 * 60_000);
});

describe.skipIf(!haveKernel)('full tree vs make (ARCH=x86, plain `make`)', () => {
  test('olddefconfig agrees where 64BIT has a prompt', async () => {
    const model = await loadKconfig(KERNEL_SRC, { arch: 'x86' });
    const arch = 'x86' as const;
    const tiny = await kernelTool({ target: 'tinyconfig', arch });
    const inputs = [
      { label: 'tinyconfig (32-bit)', text: tiny },
      { label: 'tinyconfig + 64BIT', text: `${tiny}\nCONFIG_64BIT=y\n` },
      { label: 'randconfig seed 11', text: await kernelTool({ target: 'randconfig', seed: 11, arch }) },
    ];
    const rows = await Promise.all(inputs.map(async ({ label, text }) =>
      compare(label, model.resolve(parseDotConfig(text)), parseDotConfig(await kernelTool({ target: 'olddefconfig', input: text, arch })))));
    report('olddefconfig agreement (ARCH=x86)', rows);
    expect(rows.flatMap((r) => r.mismatches)).toEqual([]);
  }, 15 * 60_000);
});
