// Reading and writing `.config` files: symbol names without the CONFIG_ prefix, raw values.

/**
 * A `.config` as an ordered map from symbol name (no `CONFIG_` prefix) to its raw value:
 * `y`, `m`, `n` (written as "# CONFIG_X is not set"), a number, or a quoted string.
 */
export type DotConfig = Map<string, string>;

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;

/** A symbol named twice takes its last value, at its last place (conf_read reads a 6.12 choice's last-named member as its pick). */
export function parseDotConfig(text: string): DotConfig {
  const config: DotConfig = new Map();
  const put = (name: string, value: string) => {
    config.delete(name);
    config.set(name, value);
  };
  for (const line of text.split('\n')) {
    const set = SET.exec(line);
    if (set) {
      put(set[1]!, set[2]!);
      continue;
    }
    const unset = UNSET.exec(line);
    if (unset) put(unset[1]!, 'n');
  }
  return config;
}

/** Serialize in map order; `n` becomes the "is not set" comment the kernel writes. */
export function formatDotConfig(config: DotConfig): string {
  const lines: string[] = [];
  for (const [name, value] of config) {
    lines.push(value === 'n' ? `# CONFIG_${name} is not set` : `CONFIG_${name}=${value}`);
  }
  return lines.join('\n') + '\n';
}

/** Names of the symbols set to `y` (or `m`), in file order. */
export function enabledSymbols(config: DotConfig): string[] {
  return [...config].filter(([, v]) => v === 'y' || v === 'm').map(([k]) => k);
}

/** A canonical text for hashing: sorted `NAME=value` lines, unset symbols left out. */
export function canonicalDotConfig(config: DotConfig): string {
  return [...config]
    .filter(([, v]) => v !== 'n')
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join('\n');
}

/** Symbols whose value differs between two configs (absent counts as `n`). */
export function diffDotConfig(a: DotConfig, b: DotConfig): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => (a.get(n) ?? 'n') !== (b.get(n) ?? 'n')).sort();
}

/** Strip an optional CONFIG_ prefix from a user-given option name. */
export function symbolName(name: string): string {
  return name.startsWith('CONFIG_') ? name.slice('CONFIG_'.length) : name;
}
