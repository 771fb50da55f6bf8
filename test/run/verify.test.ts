// verify checks the final config's own candidates (planned afresh by the Kconfig engine), not only report.json's kept list.
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDotConfig, formatDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import type { SearchContext } from '../../src/search/context.js';
import type { Evaluator, Normalized } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import type { Journal } from '../../src/search/journal.js';
import { readFinished, verify, verifyContext, verifyIn } from '../../src/run/verify.js';
import { isTinyxError } from '../../src/errors.js';
import { lockOut, OUT_LOCK_FILE } from '../../src/output/lock.js';
import { hostFacts } from '../../src/plan/host.js';
import { makePlan, type RunPlan, type RunRequest } from '../../src/plan/plan.js';
import { loadProfile } from '../../src/profile/load.js';
import { openSearchContext } from '../../src/search/context.js';
import { cacheRoot } from '../../src/util/paths.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';
import { tempDir } from '../deps/helpers.js';

/** A tree whose only Kconfig file has four candidates, one (INET) under another, and a promptless option. */
const KCONFIG = `mainmenu "tiny"

config NET
\tbool "Networking support"

config INET
\tbool "TCP/IP networking"
\tdepends on NET

config PROC_FS
\tbool "/proc file system support"

config SERIO
\tbool "Serial I/O support"

config HAVE_PCI
\tdef_bool y
`;
const NEEDED = ['NET', 'INET', 'PROC_FS'];

/** The run context verify needs, with the tiny tree's engine as olddefconfig and NEEDED as the app's needs. */
function standIn(srcDir: string, model: KconfigModel, needed: string[] = NEEDED) {
  const normalize = async (config: DotConfig): Promise<Normalized> => {
    const resolved = model.resolve(config);
    return { config: resolved, hash: sha256(canonicalDotConfig(resolved)) };
  };
  const judge = async (candidate: Normalized): Promise<Verdict> => {
    const pass = needed.every((n) => candidate.config.get(n) === 'y');
    return {
      status: pass ? 'pass' : 'fail', reason: pass ? 'tests passed' : 'tests exited with 1', configHash: candidate.hash, cmdline: '',
      built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '',
    };
  };
  const evaluator = { normalize, evaluate: judge, rerun: judge, keyOf: (c: Normalized) => c.hash } as unknown as Evaluator;
  const journal = { get: () => undefined } as unknown as Journal;
  return { evaluator, journal, source: { dir: srcDir, version: '9.9.0', key: 'tiny', identity: 'test' } } satisfies Pick<SearchContext, 'evaluator' | 'journal' | 'source'>;
}

describe('verifyIn', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tree: string;
  let out: string;
  let model: KconfigModel;

  beforeAll(async () => {
    tmp = await tempDir('tinyx-verify-');
    tree = path.join(tmp.dir, 'linux');
    await mkdir(tree);
    await writeFile(path.join(tree, 'Kconfig'), KCONFIG);
    await writeFile(path.join(tree, 'Makefile'), 'VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    model = await loadKconfig(tree, { arch: 'x86', cacheDir: path.join(tmp.dir, 'cache') });
    // A finished run whose report.json missed SERIO: a round freed it, say, and no round tried it.
    out = path.join(tmp.dir, 'out');
    await mkdir(out);
    const profile = path.join(tmp.dir, 'tiny.yaml');
    await writeFile(profile, 'name: tiny\n');
    await writeFile(path.join(out, 'run.json'), JSON.stringify({ app: '/bin/true', appArgs: [], tests: '/bin/true', port: 0, profile }));
    await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept: NEEDED }));
    const final = model.resolve(new Map([...NEEDED, 'SERIO'].map((n) => [n, 'y'])));
    await writeFile(path.join(out, 'config'), formatDotConfig(final));
    await writeFile(path.join(out, 'cmdline'), 'console=ttyS0\n');
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('is NOT verified when report.json\'s kept list misses a candidate that still passes when removed', async () => {
    const result = await verifyIn(out, await readFinished(out), standIn(tree, model));
    expect(result.checked).toBe('candidates');
    expect(result.fallback).toBeUndefined();
    expect(result.boots).toBe(true);
    expect(result.rows.map((r) => [r.option, r.outcome])).toEqual([
      ['NET', 'needed'], ['INET', 'needed'], ['PROC_FS', 'needed'], ['SERIO', 'not-needed'],
    ]);
    expect(result.ok).toBe(false);
  });

  it('a --keep-reachable result: what it kept for the app\'s calls (report.json calls.kept) is no candidate, as in the search', async () => {
    const keptOut = path.join(tmp.dir, 'kept');
    await cp(out, keptOut, { recursive: true });
    await writeFile(path.join(keptOut, 'report.json'), JSON.stringify({ kept: NEEDED, calls: { reachable: 1, startAdded: [], reachableRemoved: [], keepReachable: true, kept: ['SERIO'] } }));
    const result = await verifyIn(keptOut, await readFinished(keptOut), standIn(tree, model));
    expect(result.rows.map((r) => r.option)).toEqual(NEEDED);
    expect(result.ok).toBe(true);
  });

  it('plans with the run\'s compression: the RD_ option of run.json\'s compression is the harness\'s, the others are checked', async () => {
    const rdTree = path.join(tmp.dir, 'linux-rd');
    await mkdir(rdTree);
    await writeFile(path.join(rdTree, 'Kconfig'), 'mainmenu "rd"\n\nconfig RD_GZIP\n\tbool "gzip"\n\nconfig RD_XZ\n\tbool "xz"\n');
    await writeFile(path.join(rdTree, 'Makefile'), 'VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    const rdModel = await loadKconfig(rdTree, { arch: 'x86', cacheDir: path.join(tmp.dir, 'cache-rd') });
    const profile = path.join(tmp.dir, 'rd.yaml');
    await writeFile(profile, 'name: rd\nkernel:\n  harness:\n    always: [RD_<compression>]\n');
    const rows = async (compression?: string) => {
      const rdOut = path.join(tmp.dir, `out-rd-${compression ?? 'none'}`);
      await mkdir(rdOut);
      await writeFile(path.join(rdOut, 'run.json'), JSON.stringify({
        app: '/bin/true', appArgs: [], tests: '/bin/true', port: 0, profile, ...(compression ? { compression: { asked: 'auto', used: compression } } : {}),
      }));
      await writeFile(path.join(rdOut, 'report.json'), JSON.stringify({ kept: [] }));
      await writeFile(path.join(rdOut, 'config'), formatDotConfig(rdModel.resolve(new Map([['RD_GZIP', 'y'], ['RD_XZ', 'y']]))));
      await writeFile(path.join(rdOut, 'cmdline'), 'console=ttyS0\n');
      const result = await verifyIn(rdOut, await readFinished(rdOut), standIn(rdTree, rdModel, [`RD_${(compression ?? 'gzip').toUpperCase()}`]));
      return result.rows.map((r) => [r.option, r.outcome]);
    };
    expect(await rows('xz')).toEqual([['RD_GZIP', 'not-needed']]);
    // A run.json from before tinyx chose a compression: gzip.
    expect(await rows()).toEqual([['RD_XZ', 'not-needed']]);
  });

  /**
   * A finished run that searched values (report.json's `values` names `searched`, kept at `value`),
   * on a one-file tree, and verify's context for it: the tests pass on every config, and the
   * kernel weighs `bytes(config)`; a config `fails` names fails.
   */
  async function valuesRun(name: string, kconfig: string, config: DotConfig, searched: { option: string; value: string }, weight: { bytes: (c: DotConfig) => number; fails?: (c: DotConfig) => boolean }) {
    const vTree = path.join(tmp.dir, `linux-${name}`);
    await mkdir(vTree);
    await writeFile(path.join(vTree, 'Kconfig'), kconfig);
    await writeFile(path.join(vTree, 'Makefile'), 'VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    const vModel = await loadKconfig(vTree, { arch: 'x86', cacheDir: path.join(tmp.dir, `cache-${name}`) });
    const profile = path.join(tmp.dir, `${name}.yaml`);
    await writeFile(profile, `name: ${name}\n`);
    const context = standIn(vTree, vModel, []);
    const judge = context.evaluator.evaluate.bind(context.evaluator);
    const weighed = async (candidate: Normalized) => ({
      ...(await judge(candidate, '', '')), ...(weight.fails?.(candidate.config) ? { status: 'fail' as const, reason: 'tests exited with 1' } : {}), bzImageBytes: weight.bytes(candidate.config),
    });
    const evaluator = { ...context.evaluator, evaluate: weighed, rerun: weighed } as unknown as Evaluator;
    const vOut = path.join(tmp.dir, `out-${name}`);
    await mkdir(vOut);
    await writeFile(path.join(vOut, 'run.json'), JSON.stringify({ app: '/bin/true', appArgs: [], tests: '/bin/true', port: 0, profile, values: 'all' }));
    await writeFile(path.join(vOut, 'report.json'), JSON.stringify({ kept: [], values: { lowered: [], kept: [{ ...searched, why: '' }], trials: [], weight: {}, settings: {} } }));
    await writeFile(path.join(vOut, 'config'), formatDotConfig(vModel.resolve(config)));
    await writeFile(path.join(vOut, 'cmdline'), 'console=ttyS0\n');
    return verifyIn(vOut, await readFinished(vOut), { ...context, evaluator });
  }

  it('a run that searched values: each one step lower must fail or weigh no less', async () => {
    const log = (low: number) => `mainmenu "values"\n\nconfig LOG_BUF_SHIFT\n\tint "log buffer"\n\trange ${low} 25\n\tdefault 17\n`;
    const shift = (c: DotConfig) => Number(c.get('LOG_BUF_SHIFT'));
    // The tests pass with a shift of at least 14; the kernel's bytes grow with the buffer.
    const weight = { bytes: (c: DotConfig) => 1000 + 2 ** shift(c), fails: (c: DotConfig) => shift(c) < 14 };
    const held = await valuesRun('values-12', log(12), new Map([['LOG_BUF_SHIFT', '17']]), { option: 'LOG_BUF_SHIFT', value: '17' }, weight);
    expect(held.values).toEqual([{ option: 'LOG_BUF_SHIFT', value: '17', tried: '12', outcome: 'holds', detail: 'fail: tests exited with 1', fromJournal: false }]);
    expect(held.ok).toBe(true);
    // With the range's low end at 14, which passes lighter: 17 was not the least, and verify says so.
    const missed = await valuesRun('values-14', log(14), new Map([['LOG_BUF_SHIFT', '17']]), { option: 'LOG_BUF_SHIFT', value: '17' }, weight);
    expect(missed.values).toEqual([{ option: 'LOG_BUF_SHIFT', value: '17', tried: '14', outcome: 'lighter', detail: `passes, bzImage -${2 ** 17 - 2 ** 14} B`, fromJournal: false }]);
    expect(missed.ok).toBe(false);
  });

  it('a run that searched choices: each other member must fail or weigh no less', async () => {
    const hz = 'mainmenu "choices"\n\nchoice\n\tprompt "Timer frequency"\n\tdefault HZ_250\n\nconfig HZ_100\n\tbool "100"\n\nconfig HZ_250\n\tbool "250"\n\nendchoice\n';
    const weight = { bytes: (c: DotConfig) => (c.get('HZ_100') === 'y' ? 900 : 1000) };
    const missed = await valuesRun('choices-250', hz, new Map([['HZ_250', 'y']]), { option: 'Timer frequency', value: 'HZ_250' }, weight);
    expect(missed.values).toEqual([{ option: 'Timer frequency', value: 'HZ_250', tried: 'HZ_100', outcome: 'lighter', detail: 'passes, bzImage -100 B', fromJournal: false }]);
    expect(missed.ok).toBe(false);
    const held = await valuesRun('choices-100', hz, new Map([['HZ_100', 'y']]), { option: 'Timer frequency', value: 'HZ_100' }, weight);
    expect(held.values).toEqual([{ option: 'Timer frequency', value: 'HZ_100', tried: 'HZ_250', outcome: 'holds', detail: 'passes, bzImage +100 B', fromJournal: false }]);
    expect(held.ok).toBe(true);
  });

  it('falls back to report.json\'s kept options when the Kconfig engine cannot read the tree, and says so', async () => {
    const empty = path.join(tmp.dir, 'no-kconfig');
    await mkdir(empty);
    const events: MinimizeEvent[] = [];
    const result = await verifyIn(out, await readFinished(out), standIn(empty, model), { emit: (e) => events.push(e) });
    expect(result.checked).toBe('kept');
    expect(result.fallback).toMatch(/Kconfig engine is unavailable .*report\.json's kept options are checked/);
    expect(events).toContainEqual({ type: 'warning', message: result.fallback });
    expect(result.rows.map((r) => r.option)).toEqual(NEEDED);
    expect(result.ok).toBe(true);
  });
});

describe('verify', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('tinyx-verify-out-');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('is refused while another run holds the out dir, and writes nothing into a dir without a finished run', async () => {
    const out = path.join(tmp.dir, 'held');
    await mkdir(out);
    // Should the lock not hold verify up, the kernel source it names fails it at once: nothing is built.
    await writeFile(path.join(out, 'run.json'), JSON.stringify({ app: '/bin/true', appArgs: [], tests: '/bin/true', port: 0, profile: path.join(tmp.dir, 'none.yaml'), kernelSrc: '/nonexistent/linux' }));
    await writeFile(path.join(tmp.dir, 'none.yaml'), 'name: none\n');
    await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept: [] }));
    const lock = await lockOut(out, () => undefined);
    try {
      const error = await verify(out).catch((e: unknown) => e);
      expect(isTinyxError(error, 'TINYX_OUT_LOCKED'), String(error)).toBe(true);
    } finally {
      await lock.release();
    }
    const empty = path.join(tmp.dir, 'empty');
    await mkdir(empty);
    expect(isTinyxError(await verify(empty).catch((e: unknown) => e), 'TINYX_OUT_INVALID')).toBe(true);
    expect(existsSync(path.join(empty, OUT_LOCK_FILE))).toBe(false);
  });

  it.skipIf(!existsSync(path.join(cacheRoot(), 'kernel/linux-source-6.1.unpacked')))('opens the run\'s context with its timeouts, so the verdicts the run journaled replay', async () => {
    const out = path.join(tmp.dir, 'timed');
    await mkdir(out);
    const tests = path.join(tmp.dir, 'tests.sh');
    await writeFile(tests, '#!/bin/sh\nexit 0\n');
    await chmod(tests, 0o755);
    await writeFile(path.join(out, 'initramfs.cpio.gz'), 'initramfs');
    const profile = await loadProfile();
    const timeouts = { testTimeoutMs: 5_000, bootTimeoutMs: 60_000, readyTimeoutMs: 10_000 };
    await writeFile(path.join(out, 'run.json'), JSON.stringify({ app: '/bin/true', appArgs: [], tests, port: 80, profile: profile.source, accel: 'tcg', ...timeouts }));
    await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept: [] }));
    const candidate: Normalized = { config: new Map([['A', 'y']]), hash: 'h1' };
    const keyOf = async (context: SearchContext) => {
      try {
        return context.evaluator.keyOf(candidate, 'console=ttyS0');
      } finally {
        await context.close();
      }
    };
    const request: RunRequest = { app: '/bin/true', appArgs: [], tests, port: 80, profile, accel: 'tcg' };
    const run = (plan: RunPlan) => ({ plan, out, initramfs: { file: path.join(out, 'initramfs.cpio.gz'), sha256: sha256('initramfs') }, emit: () => undefined });
    const verified = await keyOf(await verifyContext(out, await readFinished(out)));
    expect(verified).toBe(await keyOf(await openSearchContext(run(makePlan({ ...request, ...timeouts }, hostFacts())))));
    expect(verified).not.toBe(await keyOf(await openSearchContext(run(makePlan(request, hostFacts())))));
  });
});
