// A command's flags as data, defined once; parseArgs' options come from it (help and the docs' tables: render.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Flag<G extends string = string> {
  type: 'string' | 'boolean';
  /** Repeatable: the values come as a list (shown as "repeatable"). */
  multiple?: boolean;
  /** What the value looks like in the help and docs/flags.md (`N`, `PATH`); none for a boolean. */
  value?: string;
  /** What the CLI uses when the flag is absent (parseArgs fills it in). */
  default?: string | number;
  /** A default decided elsewhere (the profile, the host, the app), in words. */
  defaultText?: string;
  /** The values it takes, put in place of `{choices}` in the texts; a function is called at help time. */
  choices?: readonly string[] | (() => readonly string[]);
  /** The help text: sentences, wrapped when shown; `code` in backticks (they are dropped in --help). */
  help: string;
  /** The text in docs/flags.md, when it says more than the help (markdown; `{choices}` as in help). */
  readme?: string;
  /** The options group of the library call it feeds. */
  group?: G;
}

/** A command's table, by flag name; written `{ ... } as const satisfies Flags<Group>` to keep its literal types. */
export type Flags<G extends string = string> = Record<string, Flag<G>>;

/** What parseArgs gives for each flag: a list for a repeatable one, the default's text for one with a default. */
export type FlagValues<D extends Flags> = {
  [K in keyof D]: D[K] extends { type: 'boolean' } ? boolean | undefined
    : D[K] extends { multiple: true } ? string[] | undefined
      : D[K] extends { default: string | number } ? string
        : string | undefined;
} & { help?: boolean };

/** The node:util parseArgs options for a table, with -h/--help added. */
export function parseOptions(flags: Flags): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = {
      type: flag.type,
      ...(flag.multiple ? { multiple: true } : {}),
      ...(flag.default !== undefined ? { default: String(flag.default) } : {}),
    };
  }
  options.help = { type: 'boolean', short: 'h' };
  return options;
}

/** Parses argv strictly against a table (an unknown flag is an ERR_PARSE_ARGS_* error, a usage error). */
export function parseFlags<D extends Flags>(flags: D, args: string[], allowPositionals = false): { values: FlagValues<D>; positionals: string[] } {
  const { values, positionals } = parseArgs({ args, options: parseOptions(flags), strict: true, allowPositionals });
  return { values: values as FlagValues<D>, positionals };
}

/** The choices of a flag, read now. */
export function choicesOf(flag: Flag): readonly string[] {
  return typeof flag.choices === 'function' ? flag.choices() : (flag.choices ?? []);
}
