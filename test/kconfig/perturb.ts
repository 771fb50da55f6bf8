// Test helper: deterministic edits of a .config, the hand edits conf_read must take the way the kernel does.
import type { KconfigModel } from '../../src/kconfig/engine.js';
import { SF } from '../../src/kconfig/model.js';

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

/** Flips ~8% of the options and drops a few lines. */
export function perturb(text: string, seed: number): string {
  const rnd = random(seed);
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

/**
 * Where kernel versions read a .config differently: a third of the choices get every member unset
 * (written in shuffled order), a third get two members set to y, and one number in ten is set out of any range.
 */
export function stress(text: string, model: KconfigModel, seed: number): string {
  const rnd = random(seed);
  const pick = <T>(xs: T[]) => xs.splice(Math.floor(rnd() * xs.length), 1)[0]!;
  const rewritten = new Set<string>();
  const appended: string[] = [];
  for (const choice of model.table.syms) {
    if (!(choice.flags & SF.CHOICE) || choice.values.length < 2) continue;
    const members = choice.values.map((v) => model.table.get(v).name!);
    const r = rnd();
    if (r >= 0.67) continue;
    for (const m of members) rewritten.add(m);
    if (r < 0.33) while (members.length) appended.push(`# CONFIG_${pick(members)} is not set`);
    else appended.push(`CONFIG_${pick(members)}=y`, `CONFIG_${pick(members)}=y`);
  }
  const kept = text.split('\n').flatMap((line) => {
    const name = /^(?:# )?CONFIG_(\w+)[= ]/.exec(line)?.[1];
    if (name && rewritten.has(name)) return [];
    if (/^CONFIG_\w+=-?\d+$/.test(line) && rnd() < 0.1) return [line.replace(/=.*/, '=99999999')];
    return [line];
  });
  return [...kept, ...appended, ''].join('\n');
}
