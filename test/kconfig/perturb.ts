// Test helper: deterministic edits of a .config, the hand edits conf_read must take the way the kernel does.
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
