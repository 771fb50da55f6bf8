// `tinyx kconfig candidates|explain|resolve`: a window into the in-process Kconfig engine.
import { TinyxError } from '../errors.js';
import type { DotConfig } from '../kconfig/dotconfig.js';
import { loadKconfig, type Explanation, type KconfigModel } from '../kconfig/engine.js';
import { resolveKernelSource } from '../profile/kernel-source.js';
import { readUserConfig } from '../kconfig/userconfig.js';
import { KCONFIG_FLAGS, KCONFIG_USAGE } from '../flags/commands.js';
import { parseFlags } from '../flags/flag.js';
import { renderHelp } from '../flags/render.js';

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

export async function kconfigCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(KCONFIG_FLAGS, argv, true);
  if (values.help) {
    io.stdout(renderHelp(KCONFIG_USAGE, KCONFIG_FLAGS));
    return 0;
  }
  const [sub, name, ...extra] = positionals;
  const usage = (msg: string) => new TinyxError('TINYX_USAGE', msg, { advice: 'Run `tinyx kconfig --help`.' });
  if (!sub || !['candidates', 'explain', 'resolve'].includes(sub)) throw usage(`tinyx kconfig needs a subcommand: candidates, explain NAME or resolve (got ${sub ?? 'nothing'})`);
  if (sub === 'explain' ? !name || extra.length : name !== undefined) throw usage(sub === 'explain' ? 'tinyx kconfig explain takes one CONFIG_NAME' : `unexpected argument "${name}"`);
  if (!values.config) throw usage(`tinyx kconfig ${sub} needs --config FILE`);
  if (values.arch !== undefined && values.arch !== 'x86_64' && values.arch !== 'x86') throw usage(`--arch must be x86_64 or x86, not "${values.arch}"`);
  const config = await readUserConfig(values.config, '--config');
  const source = await resolveKernelSource({ kernelSrc: values['kernel-src'] });
  for (const note of source.notes) io.stderr(`note: ${note}\n`);
  const model = await loadKconfig(source.dir, { arch: values.arch as 'x86_64' | 'x86' | undefined });
  if (sub === 'resolve') return printResolve(model, config, values.json === true, io);
  if (sub === 'explain') return printExplain(model.explain(name!, config), values.json === true, io);
  const list = model.candidates(config);
  if (values.json) io.stdout(JSON.stringify(list, null, 2) + '\n');
  else {
    for (const c of list) io.stdout(`${c.name}\t${c.menuPath.join(' > ')}${c.parent ? `\t(under ${c.parent})` : ''}\n`);
    io.stderr(`${list.length} candidates\n`);
  }
  return 0;
}

function printResolve(model: KconfigModel, config: DotConfig, json: boolean, io: Io): number {
  if (json) io.stdout(JSON.stringify(Object.fromEntries(model.resolve(config)), null, 2) + '\n');
  else io.stdout(model.resolveText(config));
  return 0;
}

function printExplain(e: Explanation, json: boolean, io: Io): number {
  if (json) {
    io.stdout(JSON.stringify(e, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `CONFIG_${e.name} (${e.type}) = ${e.value}`,
    ...e.prompts.map((p) => `  prompt: "${p.text}" at ${p.at} (visible: ${p.visible})`),
    `  defined at: ${e.definedAt.join(', ')}`,
    `  depends on: ${e.dependsOn.expr} [${e.dependsOn.value}]`,
    ...e.selectedBy.map((s) => `  selected by: ${s.expr} [${s.value}]`),
    ...e.impliedBy.map((s) => `  implied by: ${s.expr} [${s.value}]`),
    ...e.defaults.map((d) => `  default: ${d.value} if ${d.condition}${d.active ? '  <- active' : ''}`),
    '  why:',
    ...e.why.map((w) => `    ${w}`),
  ];
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
