// The value search: the kernel search's final config with each int and hex option the model lets the user set lowered while it passes lighter.
import path from 'node:path';
import { plan, searchValues, weigh } from '../../search/values.js';
import { enabledSymbols, type DotConfig } from '../../kconfig/dotconfig.js';
import { harnessNeeds } from '../../profile/harness.js';
import { scopeOf } from './guess.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

export const valuesStage: StageStep<RunState> = {
  stage: 'values',
  skip: (s) => s.plan.search.values === undefined,
  message: () => 'lowering the int and hex options the Kconfig model lets the user set, each while it passes and makes the kernel lighter',
  run: async (s) => {
    const { evaluator, workspace } = s.ctx;
    const { model } = s;
    if (!model) {
      s.emit({ type: 'warning', message: 'no value search: the Kconfig engine is unavailable, and without it the options and their ranges are unknown' });
      return;
    }
    const cmdline = s.plan.boot.cmdline;
    const base = s.kernel.final;
    const weightOf = (verdict: { bzImageBytes?: number }, hash: string) => weigh(verdict, path.join(workspace.artifactDir(hash), 'bzImage'));
    const only = s.plan.search.values;
    const named = (name: string) => only === 'all' || only?.includes(name) === true;
    const options = model.numbers(base.config).filter((o) => named(o.name));
    // Choices whose pick the run set (the kernel's compression) or the profile keeps are not switched; a list names the members to try.
    const { profile } = s.plan.kernel;
    const scope = scopeOf(s);
    const fixed = new Set([`KERNEL_${scope.compression.toUpperCase()}`, ...profile.kernel.keep, ...harnessNeeds(profile, scope.network, scope.compression, scope.disks)]);
    const choices = model.choices(base.config)
      .filter((c) => !fixed.has(c.pick))
      .map((c) => ({ ...c, members: c.members.filter((m) => m === c.pick || named(m)) }))
      .filter((c) => c.members.length > 1);
    const resolved = (settings: ReadonlyMap<string, string>) => enabledSymbols(model.resolve(withSettings(base.config, settings))).length;
    const startVerdict = await evaluator.evaluate(base, cmdline, 'values: the search\'s result');
    // At least one try per option and per other member of a choice (a range's low end that fails adds a bisection).
    s.emit({ type: 'tests-planned', tests: options.filter((o) => plan(o) !== undefined).length + choices.reduce((n, c) => n + c.members.length - 1, 0), parallel: 1 });
    const start = await weightOf(startVerdict, base.hash);
    s.values = await searchValues({
      options, choices, enabled: resolved, start, signal: s.options.signal,
      tryValue: async (settings, label) => {
        const candidate = await evaluator.normalize(withSettings(base.config, settings));
        const undone = [...settings].find(([name, value]) => candidate.config.get(name) !== value);
        if (undone) return { passed: false, reason: `olddefconfig sets ${undone[0]}=${candidate.config.get(undone[0]) ?? 'n'}`, weight: {} };
        const verdict = await evaluator.evaluate(candidate, cmdline, label);
        return { passed: verdict.status === 'pass', reason: `${verdict.status}: ${verdict.reason}`, weight: await weightOf(verdict, candidate.hash) };
      },
    });
    if (s.values.lowered.length) s.kernel = { ...s.kernel, final: await evaluator.normalize(withSettings(base.config, new Map(Object.entries(s.values.settings)))) };
    s.emit({
      type: 'info',
      message: s.values.lowered.length
        ? `lowered ${s.values.lowered.map((l) => `${l.option} ${l.from} -> ${l.to} (${l.detail})`).join(', ')} in ${s.values.trials.length} tries`
        : `no value lowered: ${s.values.trials.length} tries, none lighter`,
    });
  },
};

/** `config` with `settings` over it. */
function withSettings(config: DotConfig, settings: ReadonlyMap<string, string>): DotConfig {
  const edited = new Map(config);
  for (const [name, value] of settings) edited.set(name, value);
  return edited;
}
