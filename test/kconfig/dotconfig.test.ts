import { describe, expect, it } from 'vitest';
import { canonicalDotConfig, diffDotConfig, enabledSymbols, formatDotConfig, parseDotConfig, symbolName } from '../../src/kconfig/dotconfig.js';

const SAMPLE = `#
# Automatically generated file; DO NOT EDIT.
#
CONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"
CONFIG_64BIT=y
# CONFIG_SMP is not set
CONFIG_LOG_BUF_SHIFT=17
CONFIG_FOO=m
`;

describe('.config files', () => {
  it('parses set, unset, numeric and string values', () => {
    const config = parseDotConfig(SAMPLE);
    expect(config.get('64BIT')).toBe('y');
    expect(config.get('SMP')).toBe('n');
    expect(config.get('LOG_BUF_SHIFT')).toBe('17');
    expect(config.get('CC_VERSION_TEXT')).toBe('"gcc (Debian 12.2.0-14) 12.2.0"');
    expect(enabledSymbols(config)).toEqual(['64BIT', 'FOO']);
  });

  it('round-trips through format', () => {
    const config = parseDotConfig(SAMPLE);
    expect(parseDotConfig(formatDotConfig(config))).toEqual(config);
    expect(formatDotConfig(config)).toContain('# CONFIG_SMP is not set\n');
  });

  it('hashes the same content the same regardless of order and unset lines', () => {
    const a = parseDotConfig('CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n');
    const b = parseDotConfig('CONFIG_B=y\nCONFIG_A=y\n');
    expect(canonicalDotConfig(a)).toBe(canonicalDotConfig(b));
    expect(diffDotConfig(a, parseDotConfig('CONFIG_A=y\nCONFIG_C=y\n'))).toEqual(['B', 'C']);
  });

  it('accepts names with or without the CONFIG_ prefix', () => {
    expect(symbolName('CONFIG_NET')).toBe('NET');
    expect(symbolName('NET')).toBe('NET');
  });
});
