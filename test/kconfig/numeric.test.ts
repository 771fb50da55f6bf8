// C number parsing and value comparison as Kconfig does them.
import { expect, test } from 'vitest';
import { compareValues, parseForCompare, stringValid, strtol } from '../../src/kconfig/numeric.js';

test('strtol follows strtoll/strtoull', () => {
  expect(strtol('0x10', 0)).toEqual({ value: 16n, end: 4, overflow: false });
  expect(strtol('010', 0).value).toBe(8n);
  expect(strtol('ff', 16).value).toBe(255n);
  expect(strtol('0xffffffff80000000', 16).overflow).toBe(true);
  expect(strtol('0xffffffff80000000', 16, true).value).toBe(0xffffffff80000000n);
  expect(strtol('-5', 10).value).toBe(-5n);
  expect(strtol('abc', 10).end).toBe(0);
});

test('parseForCompare: whole-string numbers by type, else strings', () => {
  expect(parseForCompare('y', 'tristate')).toEqual({ value: 2n, unsigned: false });
  expect(parseForCompare('0x20', 'hex')).toEqual({ value: 32n, unsigned: true });
  expect(parseForCompare('12abc', 'int')).toBeNull();
  expect(parseForCompare('FOO', 'unknown')).toBeNull();
  expect(parseForCompare('', 'int')).toBeNull();
});

test('compareValues: numeric when both parse, unsigned if either is hex, else strcmp', () => {
  expect(compareValues('8', 'int', '10', 'unknown')).toBeLessThan(0);
  expect(compareValues('0xffffffff80000000', 'hex', '0x1000', 'unknown')).toBeGreaterThan(0);
  expect(compareValues('abc', 'string', 'abd', 'unknown')).toBeLessThan(0);
  expect(compareValues('m', 'tristate', 'y', 'tristate')).toBeLessThan(0);
  expect(compareValues('FOO', 'unknown', 'n', 'tristate')).not.toBe(0);
});

test('stringValid as sym_string_valid', () => {
  expect(stringValid('int', '-12')).toBe(true);
  expect(stringValid('int', '012')).toBe(false);
  expect(stringValid('hex', '0x1f')).toBe(true);
  expect(stringValid('hex', '1f')).toBe(true);
  expect(stringValid('hex', '0x')).toBe(false);
  expect(stringValid('bool', 'yes')).toBe(true);
  expect(stringValid('string', 'anything')).toBe(true);
});
