// Benchmark of the Kconfig engine on the full x86 tree: parse, resolve, savedefconfig, candidates, disable.
// Run `npx tsc -p .` first, then `node bench/kconfig.mjs [--kernel-src DIR]`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDotConfig } from '../dist/kconfig/dotconfig.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { resolveKernelSource } from '../dist/profile/kernel-source.js';

const argIndex = process.argv.indexOf('--kernel-src');
const source = await resolveKernelSource({ kernelSrc: argIndex > 0 ? process.argv[argIndex + 1] : undefined });
const src = source.dir;

const time = (fn) => {
  const t = performance.now();
  const result = fn();
  return [performance.now() - t, result];
};
const best = (fn, runs = 10) => Math.min(...Array.from({ length: runs }, () => time(fn)[0]));

const t0 = performance.now();
const model = await loadKconfig(src);
const parseMs = performance.now() - t0;
const t1 = performance.now();
await loadKconfig(src);
const parseWarmMs = performance.now() - t1;

const read = (file) => parseDotConfig(readFileSync(path.join(src, file), 'utf8'));
const inputs = {
  'tiny.config fragments': new Map([...read('kernel/configs/tiny.config'), ...read('arch/x86/configs/tiny.config')]),
  x86_64_defconfig: read('arch/x86/configs/x86_64_defconfig'),
};
const cloud = '/usr/src/linux-config-6.1/config.amd64_none_cloud-amd64.xz';
if (existsSync(cloud)) inputs['debian cloud-amd64'] = parseDotConfig(execFileSync('xz', ['-dc', cloud], { encoding: 'utf8', maxBuffer: 1 << 26 }));

console.log(`kernel ${source.version} at ${src}`);
console.log(`parse full tree: ${parseMs.toFixed(0)} ms first in this process (toolchain answers from the disk cache if present), ${parseWarmMs.toFixed(0)} ms again`);
console.log(`symbols ${model.table.syms.length}, Kconfig files ${model.files.length}`);
for (const [name, config] of Object.entries(inputs)) {
  const resolved = model.resolve(config);
  const enabled = [...resolved.values()].filter((v) => v === 'y' || v === 'm').length;
  const cands = model.candidates(resolved);
  const first = cands[0]?.name;
  console.log(
    `${name.padEnd(22)} resolve ${best(() => model.resolve(config)).toFixed(1).padStart(6)} ms` +
      `  savedefconfig ${best(() => model.savedefconfig(resolved)).toFixed(1).padStart(6)} ms` +
      `  candidates ${best(() => model.candidates(resolved)).toFixed(1).padStart(6)} ms (${cands.length})` +
      (first ? `  disable(${first}) ${best(() => model.disable(resolved, [first]), 5).toFixed(1).padStart(6)} ms` : '') +
      `  [${resolved.size} lines, ${enabled} enabled]`,
  );
}
