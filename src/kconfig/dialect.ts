// Where Kconfig's behaviour changed between kernel versions, and which way a tree goes, read from its own scripts/kconfig.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface KconfigDialect {
  /** SYMBOL_HASHSIZE, the bucket count behind for_all_symbols' order: 9973 in 6.1, 1 << 14 in 6.12. */
  hashSize: number;
  /**
   * How a choice picks its member.
   * 'mode' (6.1): the choice is a bool or tristate symbol (`optional` lets it be n) that its members
   * depend on, and the member the .config sets to y wins, else the choice's default.
   * 'members' (6.12): a choice only groups bool members; the member the .config sets to y last wins,
   * else the default unless the .config sets it to n, else the first member the .config leaves out,
   * else the first one it names.
   */
  choices: 'mode' | 'members';
  /** An int or hex symbol without a value is 0 or 0x0 (6.12), not empty (6.1). */
  numericZero: boolean;
  /** conf_read forgets an int, hex or string value outside its range (6.1) rather than clamping it (6.12). */
  dropOutOfRange: boolean;
}

export const KCONFIG_6_1: KconfigDialect = { hashSize: 9973, choices: 'mode', numericZero: false, dropOutOfRange: true };
export const KCONFIG_6_12: KconfigDialect = { hashSize: 1 << 14, choices: 'members', numericZero: true, dropOutOfRange: false };

/** The dialect of the conf sources in srcDir/scripts/kconfig; `fallback` when the tree has none (a bare Kconfig dir). */
export async function readDialect(srcDir: string, fallback: KconfigDialect = KCONFIG_6_1): Promise<KconfigDialect> {
  const dir = path.join(srcDir, 'scripts', 'kconfig');
  const read = (name: string) => readFile(path.join(dir, name), 'utf8').catch(() => undefined);
  const [symbol, confdata] = await Promise.all([read('symbol.c'), read('confdata.c')]);
  if (symbol === undefined || confdata === undefined) return fallback;
  const headers = await readdir(dir).then((names) => Promise.all(names.filter((n) => n.endsWith('.h')).map(read)));
  return {
    hashSize: hashSize(headers.join('\n')) ?? fallback.hashSize,
    // the 6.12 choice code keeps each choice's members in priority order on `choice_members`
    choices: symbol.includes('choice_members') ? 'members' : 'mode',
    numericZero: symbol.includes('"0x0"'),
    dropOutOfRange: confdata.includes('sym_string_within_range'),
  };
}

/** `#define SYMBOL_HASHSIZE 9973` or `(1U << 14)`. */
function hashSize(headers: string): number | undefined {
  const value = /^#define\s+SYMBOL_HASHSIZE\s+(.+)$/m.exec(headers)?.[1]?.trim();
  if (!value) return undefined;
  const shift = /^\(?\s*1U?L?\s*<<\s*(\d+)\s*\)?$/.exec(value);
  if (shift) return 2 ** Number(shift[1]);
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
