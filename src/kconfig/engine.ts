// The Kconfig engine's entry point: load a tree once, then answer olddefconfig-style questions in-process.
import { TinyxError } from '../errors.js';
import { cacheRoot } from '../util/paths.js';
import { diffDotConfig, symbolName, type DotConfig } from './dotconfig.js';
import { readConfig } from './confread.js';
import { KCONFIG_6_1, readDialect, type KconfigDialect } from './dialect.js';
import { writeConfig, writeDefconfig } from './confwrite.js';
import { ConfigEvaluation } from './evaluate.js';
import { finalizeMenus } from './finalize.js';
import { hashOrder, type MenuNode, type SymbolTable } from './model.js';
import { parseKconfig, type ParseHost } from './parser.js';
import { candidates, choiceOptions, explain, numberOptions, subtree, type ChoiceOption, type KconfigCandidate, type Explanation, type NumberOption } from './query.js';
import { kernelVersion } from './source.js';
import { toolchainHost } from './toolchain.js';

export type { ChoiceOption, KconfigCandidate, Explanation, NumberOption } from './query.js';

export interface LoadOptions {
  /** ARCH as make sees it: x86_64 (64BIT forced on, the default) or x86 (64BIT has a prompt). */
  arch?: 'x86_64' | 'x86';
  /** Where $(shell,...) answers are cached; defaults to the tinyx cache root. */
  cacheDir?: string;
  /** make variables (CC, LD, ...) overriding the defaults. */
  vars?: Record<string, string>;
  /** The top Kconfig file, relative to srcDir. */
  top?: string;
  /** How this Kconfig behaves where kernel versions differ; read from srcDir/scripts/kconfig by default (6.1's without it). */
  dialect?: KconfigDialect;
  warn?: (message: string) => void;
}

/** Parses the tree under srcDir (running the toolchain probes Kconfig asks for, cached on disk). */
export async function loadKconfig(srcDir: string, opts: LoadOptions = {}): Promise<KconfigModel> {
  const version = await kernelVersion(srcDir).catch(() => '');
  const dialect = opts.dialect ?? (await readDialect(srcDir));
  const host = toolchainHost({
    srcDir,
    arch: opts.arch ?? 'x86_64',
    kernelVersion: version,
    cacheDir: opts.cacheDir ?? cacheRoot(),
    vars: opts.vars,
    warn: opts.warn,
  });
  try {
    return buildModel(host, opts.top ?? 'Kconfig', dialect);
  } finally {
    host.save();
  }
}

/** Pure: a model from any host that supplies files, environment and shell answers. */
export function buildModel(host: ParseHost, top = 'Kconfig', dialect: KconfigDialect = KCONFIG_6_1): KconfigModel {
  const parsed = parseKconfig(top, host);
  finalizeMenus(parsed.table, parsed.root, parsed.modulesSym, dialect);
  return new KconfigModel(parsed.table, parsed.root, parsed.modulesSym, parsed.files, dialect);
}

export class KconfigModel {
  private readonly order: number[];

  constructor(
    readonly table: SymbolTable,
    readonly root: MenuNode,
    readonly modulesSym: number,
    readonly files: string[],
    readonly dialect: KconfigDialect,
  ) {
    this.order = hashOrder(table, dialect.hashSize);
  }

  /** The evaluation state conf_read leaves after loading `config`. */
  evaluate(config: DotConfig): ConfigEvaluation {
    const ev = new ConfigEvaluation(this.table, this.modulesSym, this.dialect);
    readConfig(ev, this.order, (name) => this.table.find(name), config);
    return ev;
  }

  /** `make olddefconfig`: the resolved config, in the kernel's .config order. */
  resolve(config: DotConfig): DotConfig {
    return writeConfig(this.evaluate(config), this.root).config;
  }

  /** resolve(), remembering the last answer: a search disables many names from one config. */
  private resolveCached(config: DotConfig): DotConfig {
    const key = [...config].join('\n');
    if (this.last?.key !== key) this.last = { key, result: this.resolve(config) };
    return this.last.result;
  }

  private last?: { key: string; result: DotConfig };

  /** The exact .config text olddefconfig writes (menu comments included). */
  resolveText(config: DotConfig): string {
    return writeConfig(this.evaluate(config), this.root).text;
  }

  /** `make savedefconfig` of `config` (as read from .config, without resolving first). */
  savedefconfig(config: DotConfig): string {
    return writeDefconfig(this.evaluate(config), this.root);
  }

  candidates(config: DotConfig, keep: string[] = []): KconfigCandidate[] {
    return candidates(this.evaluate(config), this.root, new Set(keep.map(symbolName)));
  }

  /** Sets `names` to n and resolves; `changed` lists every symbol whose resolved value moved. */
  disable(config: DotConfig, names: string[]): { config: DotConfig; changed: string[] } {
    const before = this.resolveCached(config);
    const edited: DotConfig = new Map(before);
    for (const name of names) edited.set(symbolName(name), 'n');
    const after = this.resolve(edited);
    return { config: after, changed: diffDotConfig(before, after) };
  }

  /** The int and hex options `config` lets the user set, with their ranges (a value search's candidates). */
  numbers(config: DotConfig): NumberOption[] {
    return numberOptions(this.evaluate(config), this.root);
  }

  /** The choices `config` lets the user switch, with the member each picks. */
  choices(config: DotConfig): ChoiceOption[] {
    return choiceOptions(this.evaluate(config), this.root);
  }

  /** Symbols in the menu subtree under a symbol's or a menu's node (by symbol name or menu prompt). */
  subtree(name: string): string[] {
    return subtree(this.table, this.root, symbolName(name));
  }

  explain(name: string, config: DotConfig): Explanation {
    const id = this.table.find(symbolName(name));
    if (id === undefined || this.table.get(id).type === 'unknown') {
      throw new TinyxError('TINYX_KCONFIG_UNKNOWN_SYMBOL', `No Kconfig symbol ${symbolName(name)} in this tree.`, {
        advice: 'Check the spelling (without or with CONFIG_); `tinyx kconfig candidates` lists the options.',
      });
    }
    return explain(this.evaluate(config), id);
  }

  /** Names of the int and hex symbols. */
  numberNames(): string[] {
    return this.table.syms.filter((s) => s.name !== null && (s.type === 'int' || s.type === 'hex')).map((s) => s.name!);
  }

  /** Names of all defined (typed) symbols. */
  symbolNames(): string[] {
    return this.table.syms.filter((s) => s.name !== null && s.type !== 'unknown' && !(s.flags & 1)).map((s) => s.name!);
  }
}
