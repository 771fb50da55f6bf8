// The first guess of an app some earlier finished run was of: that run's result (the knowledge
// file's, or the shipped prior's for a bundled example), widened by what the other runs needed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunPlan } from '../../src/plan/plan.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { firstGuess } from '../../src/run/stages/guess.js';
import { knowledgeFile, recordKnowledge } from '../../src/search/knowledge.js';
import { packageRoot } from '../../src/util/paths.js';

const helloHttp = path.join(packageRoot(), 'examples/hello-http/build/server');

describe('firstGuess for an app an earlier run was of', () => {
  let cache: string;
  let profile: Profile;
  const planOf = (noPrior = false) => ({ kernel: { profile, cache }, search: { noPrior } }) as unknown as RunPlan;
  const guessFor = async (app: string, noPrior = false) => {
    const infos: string[] = [];
    const guess = await firstGuess(planOf(noPrior), undefined, (e) => { if (e.type === 'info') infos.push(e.message); }, { app, kernelVersion: '6.1.192' });
    return { guess, infos };
  };

  beforeAll(async () => {
    cache = await mkdtemp(path.join(tmpdir(), 'tinyx-own-'));
    profile = await loadProfile();
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  it('the bundled example is guessed as its shipped run found it; other apps get every run\'s union', async () => {
    const shipped = profile.search.prior.find((p) => p.example === 'hello-http')!;
    const own = await guessFor(helloHttp);
    expect(own.guess).toMatchObject({ source: 'learned', own: 'profile:hello-http', runs: ['profile:hello-http'] });
    expect([...own.guess!.keep.keys()]).toEqual(shipped.needed);
    expect([...own.guess!.widen!.keys()].sort()).toEqual([...new Set(profile.search.prior.flatMap((p) => p.needed))].filter((n) => !shipped.needed.includes(n)).sort());
    expect(own.infos.join('\n')).toContain('first guess: this app\'s own finished run (profile:hello-http)');
    const other = await guessFor('/srv/not-an-example');
    expect(other.guess?.own).toBeUndefined();
    expect(other.guess?.keep.size).toBe(new Set(profile.search.prior.flatMap((p) => p.needed)).size);
    expect((await guessFor(helloHttp, true)).guess).toBeUndefined();
  });

  it('a finished run of the same path in the knowledge file comes before the prior', async () => {
    await recordKnowledge(knowledgeFile(cache, profile.name), profile.name, {
      app: helloHttp, kernelVersion: '6.1.192', finishedAt: new Date().toISOString(), needed: [{ option: 'EPOLL', verdict: 'fail: tests failed' }],
    });
    const own = await guessFor(helloHttp);
    expect(own.guess).toMatchObject({ own: helloHttp });
    expect([...own.guess!.keep.keys()]).toEqual(['EPOLL']);
  });
});
