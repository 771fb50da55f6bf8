// The first guess: what it keeps (learnedGuess, coreOf), the order it predicts (orderByGuess), and searchKernel testing it first.
import { describe, expect, it } from 'vitest';
import { enabledSymbols } from '../../src/kconfig/dotconfig.js';
import { coreOf, fromGuess, learnedGuess, orderByGuess, ownGuess, ownRun, withCallEvidence, type Guess } from '../../src/search/guess.js';
import type { KnowledgeRun } from '../../src/search/knowledge.js';
import { searchKernel } from '../../src/search/phases.js';
import { DEFAULT_STRATEGY } from '../../src/profile/strategy-names.js';
import type { SearchCandidate } from '../../src/kconfig/candidate.js';
import type { PriorRun } from '../../src/profile/types.js';

/** The prior as option -> examples (easier to read here), as the profile holds it: example -> options. */
type PriorOption = { option: string; neededBy: string[] };
function byExample(list: PriorOption[]): PriorRun[] {
  const runs = new Map<string, string[]>();
  for (const { option, neededBy } of list) for (const by of neededBy) runs.set(by, [...(runs.get(by) ?? []), option]);
  return [...runs].map(([example, needed]) => ({ example, needed }));
}
import { FakeKernel } from './fake-kernel.js';
import { FakeOracle, type FakeModel } from './fake-oracle.js';
import { SELECTING_KERNEL } from './strategy-models.js';

/** A finished run of `app` that kept `options`. */
function run(app: string, options: string[], kernelVersion = '6.6.1'): KnowledgeRun {
  return { app, kernelVersion, finishedAt: '2024-01-01T00:00:00.000Z', needed: options.map((option) => ({ option, verdict: 'fail: tests failed' })) };
}

/** A learned guess from finished runs alone: `{ app: options }`. */
function guessFrom(runs: Record<string, string[]>): Guess {
  return learnedGuess([], Object.entries(runs).map(([app, options]) => run(app, options)))!;
}

const kept = (guess: Guess | undefined) => (guess ? Object.fromEntries(guess.keep) : undefined);

describe('withCallEvidence', () => {
  it('keeps what the traced calls need beside what the runs needed, each with its evidence; no guess: one from the calls alone', () => {
    const guess = withCallEvidence(guessFrom({ '/srv/app': ['FUTEX'] }), new Map([['SYSVIPC', ['shmget', 'shmat']], ['FUTEX', ['futex']]]));
    expect(kept(guess)).toEqual({ FUTEX: ['/srv/app', 'trace: futex'], SYSVIPC: ['trace: shmget, shmat'] });
    expect(guess?.runs).toEqual(['/srv/app', 'the --trace run']);
    expect(kept(withCallEvidence(undefined, new Map([['EPOLL', ['epoll_wait']]])))).toEqual({ EPOLL: ['trace: epoll_wait'] });
    expect(withCallEvidence(undefined, new Map())).toBeUndefined();
  });

  it('keeps what the binaries can call as one more run, so an option only the calls name stays out of the core', () => {
    const reachable = new Map([['EPOLL', ['epoll_wait', 'epoll_ctl', 'epoll_create1', 'epoll_pwait', 'epoll_pwait2']], ['FUTEX', ['futex']]]);
    const guess = withCallEvidence(guessFrom({ '/srv/a': ['FUTEX'], '/srv/b': ['FUTEX'] }), new Map(), reachable);
    expect(kept(guess)).toEqual({ FUTEX: ['/srv/a', '/srv/b', 'calls: futex'], EPOLL: ['calls: epoll_wait, epoll_ctl, epoll_create1, epoll_pwait, 1 more'] });
    expect(guess?.runs).toEqual(['/srv/a', '/srv/b', 'the binaries\' calls']);
    expect(kept(coreOf(guess!))).toEqual({ FUTEX: ['/srv/a', '/srv/b', 'calls: futex'] });
  });
});

describe('learnedGuess', () => {
  it('keeps the union of the shipped prior and the finished runs, each option with the runs that needed it', () => {
    const prior: PriorOption[] = [{ option: 'FUTEX', neededBy: ['hello-http', 'lighttpd'] }, { option: 'EPOLL', neededBy: ['lighttpd'] }];
    const guess = learnedGuess(byExample(prior), [run('/srv/app', ['FUTEX', 'TMPFS'])]);
    expect(guess?.source).toBe('learned');
    expect(kept(guess)).toEqual({
      FUTEX: ['profile:hello-http', 'profile:lighttpd', '/srv/app'],
      EPOLL: ['profile:lighttpd'],
      TMPFS: ['/srv/app'],
    });
  });

  it('names each run once per option: repeated examples, repeated options, the same app on two kernels', () => {
    const prior: PriorOption[] = [{ option: 'FUTEX', neededBy: ['lighttpd', 'lighttpd'] }];
    const runs = [run('/srv/app', ['FUTEX', 'FUTEX', 'AIO'], '6.6.1'), run('/srv/app', ['AIO'], '6.8.0')];
    expect(kept(learnedGuess(byExample(prior), runs))).toEqual({ FUTEX: ['profile:lighttpd', '/srv/app'], AIO: ['/srv/app'] });
  });

  it('is undefined without any run; a run that needed nothing is a guess that keeps nothing', () => {
    expect(learnedGuess([], [])).toBeUndefined();
    const nothing = learnedGuess([{ example: 'hello-http', needed: [] }], [run('/srv/app', [])]);
    expect(nothing?.keep.size).toBe(0);
    expect(nothing?.runs).toEqual(['profile:hello-http', '/srv/app']);
  });
});

describe('coreOf', () => {
  it('has none with fewer than two runs: a --from guess, or one finished run', () => {
    expect(coreOf(fromGuess(new Map([['NET', 'y'], ['EPOLL', 'y'], ['AIO', 'n']]), 'old/.config'))).toBeUndefined();
    expect(coreOf(guessFrom({ '/srv/a': ['NET', 'EPOLL'] }))).toBeUndefined();
  });

  it('keeps the options more than half the runs needed, with their runs, and the guess\'s source', () => {
    const guess = guessFrom({ '/a': ['NET', 'EPOLL', 'TMPFS'], '/b': ['NET', 'EPOLL', 'AIO'], '/c': ['NET', 'SYSFS', 'EPOLL'], '/d': ['NET', 'AIO'] });
    const core = coreOf(guess);
    // 4 runs: three are more than half, two are not.
    expect(kept(core)).toEqual({ NET: ['/a', '/b', '/c', '/d'], EPOLL: ['/a', '/b', '/c'] });
    expect(core?.source).toBe('learned');
    // 3 runs: two are needed.
    expect(kept(coreOf(guessFrom({ '/a': ['NET', 'EPOLL'], '/b': ['NET', 'AIO'], '/c': ['NET', 'EPOLL'] })))).toEqual({ NET: ['/a', '/b', '/c'], EPOLL: ['/a', '/c'] });
  });

  it('is undefined when it would keep every option of the guess; with two runs it keeps what both needed', () => {
    expect(kept(coreOf(guessFrom({ '/a': ['NET', 'EPOLL'], '/b': ['NET', 'AIO'] })))).toEqual({ NET: ['/a', '/b'] });
    expect(coreOf(guessFrom({ '/a': ['NET', 'EPOLL'], '/b': ['NET', 'EPOLL'] }))).toBeUndefined();
    expect(coreOf(guessFrom({ '/a': ['NET'], '/b': ['NET'], '/c': ['NET'] }))).toBeUndefined();
  });
});

describe('ownRun', () => {
  const prior: PriorRun[] = [{ example: 'hello-http', needed: [] }, { example: 'lighttpd', needed: ['MULTIUSER', 'EPOLL'] }];
  const examples = '/opt/tinyx/examples';

  it('is the knowledge file\'s run of the same path, on this kernel version first, else its latest', () => {
    const runs = [run('/srv/app', ['EPOLL'], '6.1.1'), run('/srv/other', ['AIO'], '6.1.1'), run('/srv/app', ['FUTEX'], '6.12.1'), run('/srv/app', ['SYSFS'], '6.6.1')];
    expect(ownRun('/srv/app', prior, runs, '6.1.1', examples)).toEqual({ by: '/srv/app', needed: ['EPOLL'] });
    expect(ownRun('/srv/app', prior, runs, '6.2.0', examples)).toEqual({ by: '/srv/app', needed: ['SYSFS'] });
    expect(ownRun('/srv/new', prior, runs, '6.1.1', examples)).toBeUndefined();
  });

  it('is the prior\'s run of the bundled example the app lies in, unless the knowledge file has one', () => {
    expect(ownRun(`${examples}/lighttpd/build/server`, prior, [], '6.1.1', examples)).toEqual({ by: 'profile:lighttpd', needed: ['MULTIUSER', 'EPOLL'] });
    expect(ownRun(`${examples}/hello-http/build/server`, prior, [], '6.1.1', examples)).toEqual({ by: 'profile:hello-http', needed: [] });
    expect(ownRun(`${examples}/hello-http/build/server`, prior, [run(`${examples}/hello-http/build/server`, ['FUTEX'])], '6.1.1', examples))
      .toEqual({ by: `${examples}/hello-http/build/server`, needed: ['FUTEX'] });
    expect(ownRun(`${examples}/go-http/build/server`, prior, [], '6.1.1', examples)).toBeUndefined();
    expect(ownRun('/opt/tinyx/hello-http/server', prior, [], '6.1.1', examples)).toBeUndefined();
    expect(ownRun('/usr/sbin/lighttpd', prior, [], '6.1.1', examples)).toBeUndefined();
  });
});

describe('ownGuess', () => {
  it('keeps what the app\'s own run needed; what other runs needed widens it; it has no core', () => {
    const learned = withCallEvidence(guessFrom({ '/a': ['NET', 'EPOLL'], '/b': ['NET', 'AIO'] }), new Map(), new Map([['FUTEX', ['futex']]]));
    const guess = ownGuess({ by: 'profile:hello-http', needed: ['NET'] }, learned);
    expect(kept(guess)).toEqual({ NET: ['profile:hello-http'] });
    expect(guess).toMatchObject({ source: 'learned', own: 'profile:hello-http', runs: ['profile:hello-http'], evidence: true });
    expect(Object.fromEntries(guess.widen!)).toEqual({ EPOLL: ['/a'], AIO: ['/b'], FUTEX: ['calls: futex'] });
    expect(coreOf(guess)).toBeUndefined();
    expect(ownGuess({ by: '/srv/app', needed: ['NET'] }, undefined).widen).toBeUndefined();
  });
});

describe('orderByGuess', () => {
  const candidates: SearchCandidate[] = ['NET', 'AIO', 'EPOLL', 'TMPFS', 'FUTEX', 'IPV6'].map((name, priority) => ({ name, priority, menuPath: ['M'] }));

  it('puts what the guess removes first, in input order, then what it keeps, fewest runs first, renumbering priorities', () => {
    const guess = guessFrom({ '/a': ['NET', 'EPOLL', 'FUTEX'], '/b': ['NET', 'FUTEX'], '/c': ['NET'] });
    const ordered = orderByGuess(candidates, guess);
    expect(ordered.map((c) => c.name)).toEqual(['AIO', 'TMPFS', 'IPV6', 'EPOLL', 'FUTEX', 'NET']);
    expect(ordered.map((c) => c.priority)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ordered[0]).toEqual({ name: 'AIO', priority: 0, menuPath: ['M'] });
  });

  it('keeps the input order among equal support, and all of it without a guess', () => {
    const guess = guessFrom({ '/a': ['IPV6', 'NET'] });
    expect(orderByGuess(candidates, guess).map((c) => c.name)).toEqual(['AIO', 'EPOLL', 'TMPFS', 'FUTEX', 'NET', 'IPV6']);
    expect(orderByGuess(candidates, undefined)).toEqual(candidates);
  });
});

/** Independent options; the app needs four of them. */
const FLAT: FakeModel = {
  candidates: ['NET', 'INET', 'PROC_FS', 'SYSFS', 'TMPFS', 'EPOLL', 'FUTEX', 'AIO', 'IPV6', 'PACKET'].map((name) => ({ name })),
  required: ['NET', 'INET', 'EPOLL', 'FUTEX'],
};
const FLAT_NEEDED = ['NET', 'INET', 'EPOLL', 'FUTEX'];

/** X86_PSTATE selects the CPU_FREQ the app needs, KEYBOARD and MOUSE select INPUT and SERIO, SERIO selects SERIO_LIBPS2. */
const SELECTS = SELECTING_KERNEL;
const SELECTS_NEEDED = ['NET', 'INET', 'PROC_FS', 'EPOLL', 'CPU_FREQ'];

async function search(model: FakeModel, guess: Guess | undefined, options: { replan?: boolean; order?: (c: SearchCandidate[]) => SearchCandidate[] } = {}) {
  const oracle = new FakeOracle(model);
  const kernel = new FakeKernel(oracle);
  const start = kernel.start();
  const first = kernel.plan(start.config);
  const infos: string[] = [];
  const result = await searchKernel({
    evaluator: kernel.evaluator(), start, cmdline: '', candidates: options.order ? options.order(first.candidates) : first.candidates, isNoop: first.isNoop,
    strategy: DEFAULT_STRATEGY, parallel: 1, guess, emit: (e) => { if (e.type === 'info') infos.push(e.message); },
    replan: options.replan ? (config) => kernel.plan(config) : undefined,
  });
  const enabled = enabledSymbols(result.final.config);
  const finalPlan = kernel.plan(result.final.config);
  /** The final config's candidates that pass when removed alone (empty: 1-minimal). */
  const removable = finalPlan.candidates.map((c) => c.name)
    .filter((n) => !finalPlan.isNoop!(n) && oracle.passes(oracle.names.filter((o) => o === n || !enabled.includes(o))));
  return { result, enabled, removable, evaluations: oracle.evaluations, infos: infos.join('\n') };
}

describe('searchKernel with a guess', () => {
  it('a guess that holds exactly: one test for it, one per option it keeps, the same result as without it', async () => {
    const plain = await search(FLAT, undefined);
    const guessed = await search(FLAT, guessFrom({ '/srv/app': FLAT_NEEDED }));
    expect(guessed.enabled).toEqual(plain.enabled);
    expect(guessed.result.kept).toEqual(FLAT_NEEDED);
    expect(guessed.removable).toEqual([]);
    expect(guessed.evaluations).toBe(1 + 4);
    expect(guessed.evaluations).toBeLessThan(plain.evaluations);
    expect(guessed.result.guess).toEqual({ source: 'learned', kept: FLAT_NEEDED, removed: 6, held: true });
    expect(guessed.result.rounds[0]).toMatchObject({ guess: true, removed: ['PROC_FS', 'SYSFS', 'TMPFS', 'AIO', 'IPV6', 'PACKET'], builds: 1 });
    // Each kept option failed alone on the final config already: the closing check builds nothing.
    expect(guessed.result.recheck.builds).toBe(0);
    expect(plain.result.guess).toBeUndefined();
  });

  it('a guess that misses a needed option fails; searching its removals with what it kept left in finds it', async () => {
    const guess = guessFrom({ '/srv/app': ['NET', 'INET', 'FUTEX'] });
    const guessed = await search(FLAT, guess);
    const plain = await search(FLAT, undefined);
    expect(guessed.result.kept).toEqual(FLAT_NEEDED);
    expect(guessed.enabled).toEqual(plain.enabled);
    expect(guessed.removable).toEqual([]);
    expect(guessed.result.guess).toEqual({ source: 'learned', kept: ['NET', 'INET', 'FUTEX'], removed: 7, held: false, reason: 'fail: a needed option is off' });
    expect(guessed.result.rounds.some((r) => r.guess)).toBe(false);
    expect(guessed.infos).toContain('the first guess fails (fail: a needed option is off); searching the 7 options it removed, with the 3 it kept left in');
    // Round 1: the guess's 7 removals (EPOLL among them); round 2: what it kept, one at a time.
    expect(guessed.result.rounds[0]!.candidates).toHaveLength(7);
    expect(guessed.result.rounds[0]!.kept).toEqual(['EPOLL']);
    expect(guessed.result.rounds[1]).toMatchObject({ candidates: ['NET', 'INET', 'FUTEX'], removed: [] });
    expect(plain.evaluations).toBe(16);
    expect(guessed.evaluations).toBe(9);
  });

  it('a guess that keeps options the app does not need: what only one of two runs needed goes in one test (the core), and the result is the same', async () => {
    const plain = await search(FLAT, undefined);
    // Two runs: TMPFS and AIO, one run each, are not in the core (what both needed).
    const guessed = await search(FLAT, guessFrom({ '/srv/a': [...FLAT_NEEDED, 'TMPFS'], '/srv/b': [...FLAT_NEEDED, 'AIO'] }));
    expect(guessed.enabled).toEqual(plain.enabled);
    expect(guessed.removable).toEqual([]);
    expect(guessed.result.guess).toMatchObject({ kept: ['NET', 'INET', 'TMPFS', 'EPOLL', 'FUTEX', 'AIO'], removed: 4, held: true, core: { kept: FLAT_NEEDED, removed: 2, held: true } });
    expect(guessed.result.rounds[1]).toMatchObject({ guess: true, removed: ['TMPFS', 'AIO'] });
    // The guess, its core, then the four needed options one at a time.
    expect(guessed.evaluations).toBe(1 + 1 + 4);
    expect(guessed.result.recheck.builds).toBe(0);
  });

  describe('made of the app\'s own earlier run', () => {
    /** Three runs, none of them this app: each needed NET and INET, and one each TMPFS, AIO, SYSFS. */
    const others = learnedGuess(byExample([
      { option: 'NET', neededBy: ['a', 'b', 'c'] }, { option: 'INET', neededBy: ['a', 'b', 'c'] },
      { option: 'TMPFS', neededBy: ['a'] }, { option: 'AIO', neededBy: ['b'] }, { option: 'SYSFS', neededBy: ['c'] },
    ]), []);

    it('holds as it did: one test, then one per option it keeps, no core to build', async () => {
      const own = await search(FLAT, ownGuess({ by: 'profile:app', needed: FLAT_NEEDED }, others));
      expect(own.result.kept).toEqual(FLAT_NEEDED);
      expect(own.removable).toEqual([]);
      expect(own.result.guess).toEqual({ source: 'learned', own: 'profile:app', kept: FLAT_NEEDED, removed: 6, held: true });
      expect(own.evaluations).toBe(1 + 4);
      // The union of every run (the own one among them) holds too, and its core (NET, INET) fails: two tests more.
      const union = await search(FLAT, learnedGuess(byExample([
        { option: 'NET', neededBy: ['a', 'b', 'c', 'app'] }, { option: 'INET', neededBy: ['a', 'b', 'c', 'app'] },
        { option: 'EPOLL', neededBy: ['app'] }, { option: 'FUTEX', neededBy: ['app'] },
        { option: 'TMPFS', neededBy: ['a'] }, { option: 'AIO', neededBy: ['b'] }, { option: 'SYSFS', neededBy: ['c'] },
      ]), []));
      expect(union.result.kept).toEqual(FLAT_NEEDED);
      expect(union.evaluations).toBeGreaterThan(own.evaluations);
    });

    it('when the app changed and needs more, what the other runs needed is left in for one more test', async () => {
      const model: FakeModel = { ...FLAT, required: [...FLAT.required, 'SYSFS'] };
      const own = await search(model, ownGuess({ by: '/srv/app', needed: FLAT_NEEDED }, others));
      expect(own.result.kept).toEqual(['NET', 'INET', 'SYSFS', 'EPOLL', 'FUTEX']);
      expect(own.removable).toEqual([]);
      expect(own.result.guess).toMatchObject({ own: '/srv/app', held: false, widened: { added: ['SYSFS', 'TMPFS', 'AIO'], held: true } });
    });
  });

  describe('with a core (what more than half the runs needed)', () => {
    /** Three bundled examples: each needs NET and INET, two of them EPOLL and FUTEX, one each TMPFS, AIO, SYSFS. */
    const prior: PriorOption[] = [
      { option: 'NET', neededBy: ['a', 'b', 'c'] }, { option: 'INET', neededBy: ['a', 'b', 'c'] },
      { option: 'EPOLL', neededBy: ['a', 'b'] }, { option: 'FUTEX', neededBy: ['b', 'c'] },
      { option: 'TMPFS', neededBy: ['a'] }, { option: 'AIO', neededBy: ['b'] }, { option: 'SYSFS', neededBy: ['c'] },
    ];

    it('removes the options only one run needed in one more test when the core holds', async () => {
      const guessed = await search(FLAT, learnedGuess(byExample(prior), []));
      expect(guessed.result.kept).toEqual(FLAT_NEEDED);
      expect(guessed.removable).toEqual([]);
      expect(guessed.result.guess).toEqual({
        source: 'learned', kept: ['NET', 'INET', 'SYSFS', 'TMPFS', 'EPOLL', 'FUTEX', 'AIO'], removed: 3, held: true,
        core: { kept: FLAT_NEEDED, removed: 3, held: true },
      });
      expect(guessed.result.rounds.slice(0, 2)).toMatchObject([
        { guess: true, removed: ['PROC_FS', 'IPV6', 'PACKET'] },
        { guess: true, removed: ['SYSFS', 'TMPFS', 'AIO'] },
      ]);
      // The guess, its core, then the core's four options one at a time.
      expect(guessed.evaluations).toBe(1 + 1 + 4);
      // The same seven options from one run (no core): one test each, in plan order, so SYSFS, TMPFS
      // and AIO go after NET, INET, EPOLL and FUTEX failed, and the closing check tests those four again.
      const single = await search(FLAT, learnedGuess(byExample(prior.map((p) => ({ ...p, neededBy: ['a'] }))), []));
      expect(single.result.kept).toEqual(FLAT_NEEDED);
      expect(single.evaluations).toBe(1 + 7 + 4);
    });

    it('searches what the guess kept when the core fails, and finds the option only one example needed', async () => {
      const model: FakeModel = { ...FLAT, required: [...FLAT.required, 'SYSFS'] };
      const guessed = await search(model, learnedGuess(byExample(prior), []));
      expect(guessed.result.kept).toEqual(['NET', 'INET', 'SYSFS', 'EPOLL', 'FUTEX']);
      expect(guessed.removable).toEqual([]);
      expect(guessed.result.guess).toMatchObject({ held: true, removed: 3, core: { kept: FLAT_NEEDED, removed: 3, held: false, reason: 'fail: a needed option is off' } });
      expect(guessed.infos).toContain('the core of the guess fails');
    });

    it('tries the core with what the app\'s calls need when the core fails: it holds, and only what it kept is tested', async () => {
      const model: FakeModel = { ...FLAT, required: [...FLAT.required, 'SYSFS'] };
      const calls = new Map([['SYSFS', ['/sys']], ['PROC_FS', ['/proc']]]);
      const withCalls = await search(model, withCallEvidence(learnedGuess(byExample(prior), []), new Map(), calls));
      expect(withCalls.result.kept).toEqual(['NET', 'INET', 'SYSFS', 'EPOLL', 'FUTEX']);
      expect(withCalls.removable).toEqual([]);
      expect(withCalls.result.guess).toMatchObject({
        held: true, removed: 2, core: { kept: FLAT_NEEDED, held: false },
        coreWithCalls: { kept: ['NET', 'INET', 'PROC_FS', 'SYSFS', 'EPOLL', 'FUTEX'], removed: 2, held: true },
      });
      expect(withCalls.infos).toContain('trying it again with what the app\'s calls need kept too');
      // The guess, its core, the core with the calls, then the six it kept one at a time, PROC_FS first (the
      // least support): SYSFS's test after it is the core's config again, known to fail. Without the calls, more.
      expect(withCalls.evaluations).toBe(1 + 1 + 1 + 5);
      const without = await search(model, learnedGuess(byExample(prior), []));
      expect(withCalls.evaluations).toBeLessThan(without.evaluations);
    });
  });

  describe('with re-planning (removals free the options they selected)', () => {
    it('the guess\'s one test also removes what its removals free, unless the guess keeps it', async () => {
      const plain = await search(SELECTS, undefined, { replan: true });
      const guessed = await search(SELECTS, guessFrom({ '/srv/app': SELECTS_NEEDED }), { replan: true });
      expect(guessed.enabled).toEqual(plain.enabled);
      expect(guessed.enabled.sort()).toEqual([...SELECTS_NEEDED].sort());
      expect(guessed.removable).toEqual([]);
      // 9 of the first plan, then INPUT and SERIO (KEYBOARD and MOUSE gone), then SERIO_LIBPS2 (SERIO gone); CPU_FREQ is kept.
      expect(guessed.result.guess).toEqual({ source: 'learned', kept: SELECTS_NEEDED, removed: 12, held: true });
      expect(guessed.result.rounds[0]!.removed).toEqual(expect.arrayContaining(['INPUT', 'SERIO', 'SERIO_LIBPS2']));
      expect(guessed.evaluations).toBe(1 + 5);
      expect(guessed.evaluations).toBeLessThan(plain.evaluations);
    });

    it('a freed option the guess keeps stays for its own test, which removes it', async () => {
      const guessed = await search(SELECTS, guessFrom({ '/srv/a': [...SELECTS_NEEDED, 'INPUT'], '/srv/b': SELECTS_NEEDED }), { replan: true });
      expect(guessed.result.guess).toMatchObject({ kept: ['NET', 'INET', 'PROC_FS', 'EPOLL', 'CPU_FREQ', 'INPUT'], removed: 11, held: true });
      expect(guessed.enabled.sort()).toEqual([...SELECTS_NEEDED].sort());
      expect(guessed.removable).toEqual([]);
      // INPUT, needed by one run of two, is tried first; the others then fail on the final config.
      expect(guessed.evaluations).toBe(1 + 6);
    });
  });
});
