// The engine against the kernel's own tools on the full x86 tree of each kernel present: olddefconfig and savedefconfig, symbol for symbol.
// The kernel tools' answers are cached per tree under <cache>/kconfig-test/trees (TINYX_KCONFIG_COMPAT_FRESH=1 reruns them).
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { kernelTool } from './kerneltools.js';
import { perturb, stress } from './perturb.js';
import { debianConfig, KERNEL_TREES, type KernelTree } from './realconf.js';

const TREES = KERNEL_TREES.map((t) => [t.version, t] as [string, KernelTree]);
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

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

describe.each(TREES)('Linux %s: full tree vs make (ARCH=x86_64)', (_, tree) => {
  const cloud = debianConfig(tree);
  let model: KconfigModel;
  beforeAll(async () => {
    model = await loadKconfig(tree.dir, { arch: 'x86_64' });
  }, 120_000);

  test('olddefconfig agrees symbol for symbol', async () => {
    const arch = 'x86_64' as const;
    const inputs: { label: string; input: Promise<string> }[] = [];
    for (const target of ['tinyconfig', 'defconfig']) {
      const base = kernelTool({ tree, target, arch });
      inputs.push({ label: target, input: base }, { label: `${target} perturbed`, input: base.then((t) => perturb(t, 7)) });
      inputs.push({ label: `${target} stressed`, input: base.then((t) => stress(t, model, 7)) });
    }
    if (cloud) inputs.push({ label: 'debian cloud-amd64', input: execa('xz', ['-dc', cloud]).then((r) => r.stdout) });
    for (const seed of SEEDS) {
      const rand = kernelTool({ tree, target: 'randconfig', seed, arch });
      inputs.push({ label: `randconfig seed ${seed}`, input: rand });
      inputs.push({ label: `randconfig ${seed} perturbed`, input: rand.then((t) => perturb(t, seed)) });
      inputs.push({ label: `randconfig ${seed} stressed`, input: rand.then((t) => stress(t, model, seed)) });
    }
    const rows = await Promise.all(inputs.map(async ({ label, input }) => {
      const text = await input;
      const want = parseDotConfig(await kernelTool({ tree, target: 'olddefconfig', input: text, arch }));
      return compare(label, model.resolve(parseDotConfig(text)), want);
    }));
    report(`Linux ${tree.version} olddefconfig agreement`, rows);
    expect(rows.flatMap((r) => r.mismatches)).toEqual([]);
    expect(rows.every((r) => r.sameOrder)).toBe(true);
  }, 15 * 60_000);

  test('savedefconfig reproduces the kernel\'s minimal fragment', async () => {
    const arch = 'x86_64' as const;
    const bases = [kernelTool({ tree, target: 'defconfig', arch }), kernelTool({ tree, target: 'tinyconfig', arch }), kernelTool({ tree, target: 'randconfig', seed: 3, arch })];
    // and two hand-edited ones, as savedefconfig reads them (unresolved)
    bases.push(bases[0]!.then((t) => perturb(t, 7)), bases[2]!.then((t) => stress(t, model, 3)));
    if (cloud) bases.push(execa('xz', ['-dc', cloud]).then((r) => kernelTool({ tree, target: 'olddefconfig', input: r.stdout, arch })));
    const results = await Promise.all(bases.map(async (b) => {
      const config = await b;
      return { want: await kernelTool({ tree, target: 'savedefconfig', input: config, arch }), got: model.savedefconfig(parseDotConfig(config)) };
    }));
    console.log(`Linux ${tree.version} savedefconfig: ${results.filter((r) => r.got === r.want).length}/${results.length} fragments identical`);
    for (const r of results) expect(r.got).toBe(r.want);
  }, 15 * 60_000);
});

describe.each(TREES)('Linux %s: full tree vs make (ARCH=x86, plain `make`)', (_, tree) => {
  test('olddefconfig agrees where 64BIT has a prompt', async () => {
    const model = await loadKconfig(tree.dir, { arch: 'x86' });
    const arch = 'x86' as const;
    const tiny = await kernelTool({ tree, target: 'tinyconfig', arch });
    const inputs = [
      { label: 'tinyconfig (32-bit)', text: tiny },
      { label: 'tinyconfig + 64BIT', text: `${tiny}\nCONFIG_64BIT=y\n` },
      { label: 'randconfig seed 11', text: await kernelTool({ tree, target: 'randconfig', seed: 11, arch }) },
    ];
    const rows = await Promise.all(inputs.map(async ({ label, text }) =>
      compare(label, model.resolve(parseDotConfig(text)), parseDotConfig(await kernelTool({ tree, target: 'olddefconfig', input: text, arch })))));
    report(`Linux ${tree.version} olddefconfig agreement (ARCH=x86)`, rows);
    expect(rows.flatMap((r) => r.mismatches)).toEqual([]);
  }, 15 * 60_000);
});
