// searchKernel with a previous result (--from) as the first guess: its removals are tried first, in one evaluation;
// and with `monotone` (--assume-monotone): no closing re-check of kept options.
import { describe, expect, it } from 'vitest';
import { canonicalDotConfig, enabledSymbols, type DotConfig } from '../../src/kconfig/dotconfig.js';
import type { Evaluator, Normalized } from '../../src/search/evaluator.js';
import { searchKernel } from '../../src/search/phases.js';
import { fromGuess, learnedGuess } from '../../src/search/guess.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';

const NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/** Options are independent; the run passes while every required option is on. */
function fakeEvaluator(required: string[]) {
  const seen = new Set<string>();
  const fake = {
    evaluations: 0,
    async normalize(config: DotConfig): Promise<Normalized> {
      return { config, hash: sha256(canonicalDotConfig(config)) };
    },
    async evaluate(candidate: Normalized): Promise<Verdict> {
      if (!seen.has(candidate.hash)) {
        seen.add(candidate.hash);
        fake.evaluations++;
      }
      const pass = required.every((n) => candidate.config.get(n) === 'y');
      return { status: pass ? 'pass' : 'fail', reason: '', configHash: candidate.hash, cmdline: '', built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '' };
    },
  };
  return fake;
}

async function run(required: string[], prior?: string[], strategy = 'bisect', monotone?: boolean, otherRunsNeeded?: string[]) {
  const fake = fakeEvaluator(required);
  const learned = otherRunsNeeded && learnedGuess([{ example: 'other', needed: otherRunsNeeded }], []);
  const start = await fake.normalize(new Map(NAMES.map((n) => [n, 'y'])));
  const infos: string[] = [];
  const result = await searchKernel({
    evaluator: fake as unknown as Evaluator, start, cmdline: '', candidates: NAMES.map((name) => ({ name })), strategy,
    parallel: 1, monotone, emit: (e) => { if (e.type === 'info') infos.push(e.message); },
    guess: prior && fromGuess(new Map(NAMES.filter((n) => !prior.includes(n)).map((n) => [n, 'y'])), 'previous/config', true, learned),
  });
  return { evaluations: fake.evaluations, kept: result.kept, enabled: enabledSymbols(result.final.config), infos, guess: result.guess };
}

describe('searchKernel --from', () => {
  it('re-uses a previous result that still passes: one test for its removals, one per option it kept', async () => {
    const fresh = await run(['B', 'G']);
    const again = await run(['B', 'G'], ['A', 'C', 'D', 'E', 'F', 'H']);
    expect(again.kept).toEqual(['B', 'G']);
    expect(again.enabled).toEqual(fresh.enabled);
    expect(again.evaluations).toBe(1 + 2);
    expect(again.evaluations).toBeLessThan(fresh.evaluations);
    expect(again.infos.join('\n')).toContain('the first guess holds');
    expect(again.guess).toEqual({ source: 'from', kept: ['B', 'G'], removed: 6, held: true });
  });

  it('finds an option the app needs now among what the previous result removed', async () => {
    const result = await run(['B', 'E'], ['A', 'C', 'D', 'E', 'F']);
    expect(result.kept).toEqual(['B', 'E']);
    expect(result.infos.join('\n')).toContain('the first guess fails');
    expect(result.guess).toMatchObject({ source: 'from', held: false });
  });

  it('when it fails, first tries again with what other runs needed left in, and searches those as a group', async () => {
    // The app now needs E, which its previous result removed; another run needed D and E (and B, which --from keeps anyway).
    const plain = await run(['B', 'E'], ['A', 'C', 'D', 'E', 'F']);
    const widened = await run(['B', 'E'], ['A', 'C', 'D', 'E', 'F'], 'bisect', false, ['B', 'D', 'E']);
    expect(widened.kept).toEqual(['B', 'E']);
    expect(widened.enabled).toEqual(plain.enabled);
    expect(widened.guess).toMatchObject({ source: 'from', held: false, widened: { added: ['D', 'E'], held: true, removed: 3 } });
    expect(widened.infos.join('\n')).toContain('trying it again with the 2 of its removals that other runs needed left in (D, E)');
    // The guess, the widened guess, -D (-D -E is the guess again; -E alone too), B, G, H one at a time, then the
    // closing check of B and E on the final config (both failed before G and H went).
    expect(widened.evaluations).toBe(1 + 1 + 1 + 3 + 2);
    expect(widened.evaluations).toBeLessThan(plain.evaluations);
  });

  it('when the widened guess fails too, searches its removals as before', async () => {
    const result = await run(['B', 'F'], ['A', 'C', 'D', 'E', 'F'], 'bisect', false, ['D']);
    expect(result.kept).toEqual(['B', 'F']);
    expect(result.guess).toMatchObject({ held: false, widened: { added: ['D'], held: false } });
    expect(result.infos.join('\n')).toContain('the widened guess fails');
    // Its repair searches what the first guess removed (D among them), not only what the widened one did.
    expect(result.infos.join('\n')).toContain('searching the 5 options the first guess removed, with the 3 it kept left in');
  });

  it('does not widen with what the previous result kept, nor without other runs', async () => {
    const guess = fromGuess(new Map([['B', 'y']]), 'previous/config', true, learnedGuess([{ example: 'other', needed: ['B', 'D'] }], []));
    expect([...guess.widen!.keys()]).toEqual(['D']);
    expect(fromGuess(new Map([['B', 'y']]), 'previous/config', true, learnedGuess([{ example: 'other', needed: ['B'] }], [])).widen).toBeUndefined();
    expect(fromGuess(new Map([['B', 'y']]), 'previous/config').widen).toBeUndefined();
  });

  it('also removes what the previous result kept when the app no longer needs it', async () => {
    const result = await run(['G'], ['A', 'C', 'D', 'E', 'F', 'H']);
    expect(result.kept).toEqual(['G']);
    expect(result.enabled).toEqual(['G']);
  });
});

describe('searchKernel monotone', () => {
  it('skips the closing re-check of kept options, and on a monotone oracle finds the same result', async () => {
    const checked = await run(['B', 'G'], undefined, 'one-at-a-time');
    const trusted = await run(['B', 'G'], undefined, 'one-at-a-time', true);
    // 8 single removals; B failed before C-F and H were removed and G before H, so both are re-checked.
    expect(checked.evaluations).toBe(8 + 2);
    expect(trusted.evaluations).toBe(8);
    expect(trusted.kept).toEqual(['B', 'G']);
    expect(trusted.enabled).toEqual(checked.enabled);
  });
});
