// The fake oracle as searchKernel sees a kernel: configs normalized by its selects and parents, verdicts, candidate plans.
import { canonicalDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import type { CandidatePlan } from '../../src/search/candidates.js';
import type { Evaluator, Normalized } from '../../src/search/evaluator.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';
import type { FakeOracle } from './fake-oracle.js';

export class FakeKernel {
  constructor(readonly oracle: FakeOracle) {}

  /** Every option on, as the start config. */
  start(): Normalized {
    return this.normalize(new Map(this.oracle.names.map((n) => [n, 'y'])));
  }

  /** olddefconfig: what the oracle turns off is n, the rest y. */
  normalize(config: DotConfig): Normalized {
    const off = this.oracle.resolve((name) => config.get(name) === 'y');
    const resolved: DotConfig = new Map(this.oracle.names.map((n) => [n, off.has(n) ? 'n' : 'y']));
    return { config: resolved, hash: sha256(canonicalDotConfig(resolved)) };
  }

  /** The search's evaluator: each distinct normalized config is one evaluation of the oracle (a build). */
  evaluator(): Evaluator {
    const oracle = this.oracle;
    const fake = {
      get builds() {
        return oracle.evaluations;
      },
      normalize: async (config: DotConfig) => this.normalize(config),
      evaluate: async (candidate: Normalized): Promise<Verdict> => {
        const removed = oracle.names.filter((n) => candidate.config.get(n) !== 'y');
        const pass = await oracle.test(removed);
        return {
          status: pass ? 'pass' : 'fail', reason: pass ? 'tests passed' : 'a needed option is off', configHash: candidate.hash, cmdline: '',
          built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '',
        };
      },
    };
    return fake as unknown as Evaluator;
  }

  /**
   * planCandidates on `config`, as the Kconfig engine answers it: the enabled options that no
   * enabled option selects, in model order; or, with `only` (a bounded list), its enabled names
   * in its order, forced or not.
   */
  plan(config: DotConfig, only?: readonly string[]): CandidatePlan {
    const byName = new Map(this.oracle.model.candidates.map((c) => [c.name, c]));
    const on = (n: string) => config.get(n) === 'y';
    const names = only ? only.filter(on) : this.oracle.names.filter((n) => on(n) && !(this.oracle.selectors.get(n) ?? []).some(on));
    const candidates = names.map((name, priority) => ({ ...(byName.get(name) ?? { name }), priority }));
    const isNoop = (name: string) => this.normalize(new Map([...config, [name, 'n']])).hash === this.normalize(config).hash;
    return { candidates, isNoop };
  }
}
