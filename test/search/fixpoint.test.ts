// searchKernel's rounds: options a removed candidate selected become candidates and are searched, until none is left.
import { describe, expect, it } from 'vitest';
import { enabledSymbols, type DotConfig } from '../../src/kconfig/dotconfig.js';
import type { Evaluator, Normalized } from '../../src/search/evaluator.js';
import { learnedGuess } from '../../src/search/guess.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { searchKernel } from '../../src/search/phases.js';
import { DEFAULT_STRATEGY } from '../../src/profile/strategy-names.js';
import { FakeKernel } from './fake-kernel.js';
import { FakeOracle, type FakeModel } from './fake-oracle.js';
import { SELECTING_KERNEL } from './strategy-models.js';

const MODEL = SELECTING_KERNEL;
const ROUND_1 = MODEL.candidates.map((c) => c.name);
const NEEDED = ['NET', 'INET', 'PROC_FS', 'EPOLL', 'CPU_FREQ'];

async function search(model: FakeModel, strategy: string, options: { monotone?: boolean; only?: string[]; rounds?: boolean } = {}) {
  const oracle = new FakeOracle(model);
  const kernel = new FakeKernel(oracle);
  const start = kernel.start();
  const first = kernel.plan(start.config, options.only);
  const events: MinimizeEvent[] = [];
  const only = options.only;
  const result = await searchKernel({
    evaluator: kernel.evaluator(), start, cmdline: '', candidates: first.candidates, isNoop: first.isNoop, strategy, parallel: 1,
    monotone: options.monotone, emit: (e) => events.push(e),
    replan: options.rounds === false ? undefined : (config) => kernel.plan(config, only?.filter((n) => config.get(n) === 'y')),
  });
  const enabled = enabledSymbols(result.final.config);
  /** The final config's own candidates that pass when removed alone (empty: 1-minimal). */
  const removable = kernel.plan(result.final.config, only).candidates.map((c) => c.name)
    .filter((n) => !kernel.plan(result.final.config).isNoop!(n) && oracle.passes(oracle.names.filter((o) => o === n || !enabled.includes(o))));
  const rounds = events.flatMap((e) => (e.type === 'round' ? [e] : []));
  return { result, enabled, removable, evaluations: oracle.evaluations, rounds };
}

describe.each([DEFAULT_STRATEGY, 'one-at-a-time'])('searchKernel rounds (%s)', (strategy) => {
  it('searches what each round frees until a round frees nothing, and ends 1-minimal over the final config\'s candidates', async () => {
    const { result, enabled, removable, evaluations, rounds } = await search(MODEL, strategy);
    expect(enabled.sort()).toEqual([...NEEDED].sort());
    expect(removable).toEqual([]);
    expect(result.rounds.map((r) => r.candidates)).toEqual([ROUND_1, ['CPU_FREQ', 'INPUT', 'SERIO'], ['SERIO_LIBPS2']]);
    expect(result.rounds[1]).toMatchObject({ removed: ['INPUT', 'SERIO'], kept: ['CPU_FREQ'] });
    expect(result.kept).toEqual(['NET', 'INET', 'PROC_FS', 'EPOLL', 'CPU_FREQ']);
    expect(result.candidates).toEqual([...ROUND_1, 'CPU_FREQ', 'INPUT', 'SERIO', 'SERIO_LIBPS2']);
    expect(rounds.map((e) => [e.round, e.candidates.length])).toEqual([[1, 13], [2, 3], [3, 1]]);
    // Rounds 2 and 3 removed options, so the kept options of rounds 1 and 2 are checked again on the final config.
    expect(result.recheck).toMatchObject({ checked: ['NET', 'INET', 'CPU_FREQ', 'PROC_FS', 'EPOLL'], removed: [] });
    // one-at-a-time: 13 single removals, 2 of them (VENDOR_A, VENDOR_B after ETHERNET) the config
    // ETHERNET's removal made already; one each in rounds 2 and 3; then the 5 re-checks.
    const perRound = strategy === 'one-at-a-time' ? [11, 3, 1] : [14, 3, 1];
    expect(result.rounds.map((r) => r.builds)).toEqual(perRound);
    expect(result.recheck.builds).toBe(5);
    expect(evaluations).toBe(perRound.reduce((a, b) => a + b) + 5);
  });

  it('trusting monotony skips the closing check, with the same result here', async () => {
    const checked = await search(MODEL, strategy);
    const trusted = await search(MODEL, strategy, { monotone: true });
    expect(trusted.enabled).toEqual(checked.enabled);
    expect(trusted.result.recheck.checked).toEqual([]);
    expect(trusted.evaluations).toBe(checked.evaluations - 5);
  });

  it('one round alone (no re-planning) leaves the freed options on', async () => {
    const { enabled, result } = await search(MODEL, strategy, { rounds: false });
    expect(enabled.sort()).toEqual([...NEEDED, 'INPUT', 'SERIO', 'SERIO_LIBPS2'].sort());
    expect(result.rounds).toHaveLength(1);
  });

  it('stays within a bounded list: a listed option forced at the start is searched once its selectors are gone, an unlisted one never', async () => {
    const only = ['ETHERNET', 'KEYBOARD', 'MOUSE', 'INPUT', 'TMPFS'];
    const { result, enabled, evaluations } = await search(MODEL, strategy, { only });
    expect(result.rounds.map((r) => r.candidates)).toEqual([only, ['INPUT']]);
    expect(result.rounds[0]).toMatchObject({ removed: ['ETHERNET', 'KEYBOARD', 'MOUSE', 'TMPFS'], kept: ['INPUT'] });
    expect(enabled).toContain('SERIO');
    expect(enabled).not.toContain('INPUT');
    expect(result.noops).toEqual([]);
    // INPUT is a no-op in round 1 (selected): no build; round 2 removes it in one. bisect removes round 1's four at once.
    expect(evaluations).toBe(strategy === 'one-at-a-time' ? 4 + 1 : 1 + 1);
  });

  it('removes, in the closing check, a round-1 option that a later round made unneeded', async () => {
    // TMPFS is needed only while SERIO is on: round 1 keeps it, round 2 removes SERIO.
    const model: FakeModel = { ...MODEL, needsUnlessGone: [['TMPFS', 'SERIO']] };
    const checked = await search(model, strategy);
    expect(checked.result.rounds[0]!.kept).toContain('TMPFS');
    expect(checked.result.recheck.removed).toEqual(['TMPFS']);
    expect(checked.enabled.sort()).toEqual([...NEEDED].sort());
    expect(checked.removable).toEqual([]);
    const trusted = await search(model, strategy, { monotone: true });
    expect(trusted.enabled).toContain('TMPFS');
    expect(trusted.removable).toEqual(['TMPFS']);
  });
});

describe('searchKernel with the Kconfig engine in-process (preview)', () => {
  /** A guessed search on MODEL; with `preview`, the engine's olddefconfig marks each config it answers. */
  async function guessed(preview: boolean) {
    const oracle = new FakeOracle(MODEL);
    const kernel = new FakeKernel(oracle);
    const start = kernel.start();
    const first = kernel.plan(start.config);
    const evaluator = kernel.evaluator() as unknown as { normalize: (c: DotConfig) => Promise<Normalized>; evaluate: (c: Normalized) => Promise<unknown> };
    let normalizations = 0;
    const built: DotConfig[] = [];
    const normalize = evaluator.normalize;
    const evaluate = evaluator.evaluate;
    evaluator.normalize = async (config) => { normalizations++; return normalize(config); };
    evaluator.evaluate = async (candidate) => { built.push(candidate.config); return evaluate(candidate); };
    const result = await searchKernel({
      evaluator: evaluator as unknown as Evaluator, start, cmdline: '', candidates: first.candidates, isNoop: first.isNoop, strategy: DEFAULT_STRATEGY, parallel: 1,
      emit: () => {}, replan: (config) => kernel.plan(config),
      guess: learnedGuess([{ example: 'server', needed: ['NET', 'INET', 'PROC_FS', 'EPOLL'] }], []),
      preview: preview ? (config) => new Map([...kernel.normalize(config).config, ['PREVIEW_ONLY', 'y']]) : undefined,
    });
    return { result, normalizations, built, evaluations: oracle.evaluations };
  }

  it('answers what a guess frees and which removals change nothing in-process, and builds only the kernel\'s configs', async () => {
    const kernelOnly = await guessed(false);
    const withPreview = await guessed(true);
    expect(enabledSymbols(withPreview.result.final.config)).toEqual(enabledSymbols(kernelOnly.result.final.config));
    expect(withPreview.evaluations).toBe(kernelOnly.evaluations);
    expect(withPreview.result.guess).toEqual(kernelOnly.result.guess);
    // Every config tested is the kernel's olddefconfig's, none the engine's.
    expect(withPreview.built.length).toBeGreaterThan(0);
    expect(withPreview.built.filter((c) => c.has('PREVIEW_ONLY'))).toEqual([]);
    expect(withPreview.normalizations).toBeLessThan(kernelOnly.normalizations);
  });
});
