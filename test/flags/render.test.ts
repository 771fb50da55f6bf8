// One definition per flag: the parser's options, --help and the rows of docs/flags.md all come from it.
import { describe, expect, it } from 'vitest';
import { DEPS_FLAGS, KCONFIG_FLAGS, VERIFY_FLAGS, WORKER_FLAGS } from '../../src/flags/commands.js';
import { FLEET_FLAGS } from '../../src/flags/fleet.js';
import { parseFlags, parseOptions, type Flags } from '../../src/flags/flag.js';
import { MINIMIZE_FLAGS, MINIMIZE_GROUPS, MINIMIZE_USAGE } from '../../src/flags/minimize.js';
import { flagLabel, renderHelp, renderTable } from '../../src/flags/render.js';
import { minimizeHelp } from '../../src/cli/minimize.js';
import { profileNames } from '../../src/profile/load.js';

const TABLES: Record<string, Flags> = { minimize: MINIMIZE_FLAGS, verify: VERIFY_FLAGS, deps: DEPS_FLAGS, kconfig: KCONFIG_FLAGS, worker: WORKER_FLAGS, fleet: FLEET_FLAGS };

describe('flag definitions', () => {
  for (const [command, flags] of Object.entries(TABLES)) {
    it(`${command}: every flag is in the parser, the help (at most 100 columns) and the docs table`, () => {
      const options = parseOptions(flags);
      expect(Object.keys(options).sort()).toEqual([...Object.keys(flags), 'help'].sort());
      const help = renderHelp('Usage: x\n', flags, command === 'minimize' ? MINIMIZE_GROUPS : undefined);
      const table = renderTable(flags, command === 'minimize' ? MINIMIZE_GROUPS : undefined);
      for (const [name, flag] of Object.entries(flags)) {
        expect(help).toContain(`  ${flagLabel(name, flag)}  `);
        expect(table).toContain(`| \`${flagLabel(name, flag).replaceAll('|', '\\|')}\` |`);
        if (flag.default !== undefined) expect(options[name]?.default).toBe(String(flag.default));
      }
      expect(help).toContain('  -h, --help            this text\n');
      for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
      expect(help).not.toContain('`');
    });
  }

  it('puts every minimize flag in a group of MinimizeOptions, each group with flags', () => {
    const groups = Object.keys(MINIMIZE_GROUPS);
    expect(groups).toEqual(['app', 'harness', 'kernel', 'search', 'execution', 'run']);
    for (const [name, flag] of Object.entries(MINIMIZE_FLAGS)) expect(groups, name).toContain(flag.group);
    for (const group of groups) expect(Object.values(MINIMIZE_FLAGS).some((f) => f.group === group), group).toBe(true);
  });

  it('fills in defaults, lists repeatable flags and refuses unknown ones', () => {
    const { values } = parseFlags(MINIMIZE_FLAGS, ['--app', 'a', '--env', 'A=1', '--env', 'B=2', '--port=8080']);
    expect(values).toMatchObject({ app: 'a', env: ['A=1', 'B=2'], port: '8080', profile: 'qemu-x86_64', 'final-runs': '3', 'worker-unreachable': 'fail' });
    expect(values.jobs).toBeUndefined();
    expect(() => parseFlags(MINIMIZE_FLAGS, ['--no-such-flag'])).toThrow(expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }));
    expect(() => parseFlags(VERIFY_FLAGS, ['out'])).toThrow(expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }));
    expect(parseFlags(VERIFY_FLAGS, ['out', '-h'], true)).toMatchObject({ values: { help: true }, positionals: ['out'] });
  });

  it('shows defaults, choices and the profiles of profiles/ in the help', () => {
    const help = minimizeHelp();
    expect(help.startsWith(MINIMIZE_USAGE)).toBe(true);
    for (const title of Object.values(MINIMIZE_GROUPS)) expect(help).toContain(`\n${title}:\n`);
    expect(profileNames()).toContain('qemu-x86_64');
    expect(help).toMatch(new RegExp(`--profile NAME\\|FILE .*\\(${profileNames().join(', ')}\\)`));
    expect(help).toMatch(/--strategy NAME +kernel search strategy: one-at-a-time, ddmin, bisect \(default: the profile's/);
    expect(help).toMatch(/--jobs N [\s\S]*\(default: one per 4 cores of this host, at least 1\)/);
    expect(help).toMatch(/--env KEY=VALUE +environment variable for the app \(repeatable\)/);
    expect(help).toMatch(/--final-runs N [^\n]*\n? *[^\n]*\(default\s+3\)/);
  });

  it('writes the docs table cells as markdown: code kept, pipes escaped', () => {
    const table = renderTable({ accel: { type: 'string', value: 'a|b', help: 'pick `a` or `b`', default: 'a' } });
    expect(table).toBe('| flag | what |\n|---|---|\n| `--accel a\\|b` | pick `a` or `b` (default `a`) |\n');
  });
});
