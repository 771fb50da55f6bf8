// The Kconfig model as judge, on a tiny hand-made tree: normalization, one build per distinct normalized config, and the one-at-a-time reference.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { enabledSymbols } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { withValues } from '../../src/kconfig/kernel.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { learnedGuess } from '../../src/search/guess.js';
import { modelOracle, oneAtATimeReference, searchWithModel } from '../../src/search/model-oracle.js';

/** A server's shape in seven candidates: a menu with three options under it, two on their own, one that selects a library. */
const KCONFIG = `
menuconfig NET
	bool "Networking support"
	default y

if NET
config INET
	bool "TCP/IP networking"
	default y

config UNIX
	bool "Unix domain sockets"
	default y

config PACKET
	bool "Packet socket"
	default y
endif

config PROC_FS
	bool "/proc file system"
	default y

config SQUASHFS
	bool "SquashFS"
	default y
	select ZLIB

config ZLIB
	bool "zlib"

config DEBUG_KERNEL
	bool "Kernel debugging"
	default y
`;

describe('the model as judge', () => {
  let model: KconfigModel;
  let profile: Profile;
  const start = () => model.resolve(new Map());
  /** What a run with these needs plans and searches (no profile keep, no harness: every option is a candidate). */
  const scope = () => ({ model, profile, start: start(), compression: 'gzip' as const });

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tinyx-model-oracle-'));
    writeFileSync(path.join(dir, 'Kconfig'), KCONFIG);
    model = await loadKconfig(dir, { cacheDir: mkdtempSync(path.join(tmpdir(), 'tinyx-model-oracle-cache-')) });
    const shipped = await loadProfile();
    profile = { ...shipped, kernel: { ...shipped.kernel, keep: [], harness: { always: [], network: [] } } };
  });

  it('normalizes as olddefconfig does and passes while every required option is =y', async () => {
    expect(enabledSymbols(start())).toEqual(['NET', 'INET', 'UNIX', 'PACKET', 'PROC_FS', 'SQUASHFS', 'ZLIB', 'DEBUG_KERNEL']);
    const oracle = modelOracle(model, ['UNIX', 'PROC_FS']);
    const noNet = await oracle.normalize(withValues(start(), ['NET'], 'n'));
    expect(noNet.config.get('UNIX')).not.toBe('y');
    expect(oracle.passes(noNet.config)).toBe(false);
    const verdict = await oracle.evaluate(noNet);
    expect(verdict).toMatchObject({ status: 'fail', reason: 'required options off: UNIX', configHash: noNet.hash });
    expect((await oracle.evaluate(await oracle.normalize(start()))).status).toBe('pass');
    expect(oracle.builds).toBe(2);
  });

  it('builds each distinct normalized config once: a config that normalizes to a judged one costs nothing', async () => {
    const oracle = modelOracle(model, ['UNIX']);
    const a = await oracle.normalize(withValues(start(), ['NET'], 'n'));
    const b = await oracle.normalize(withValues(start(), ['NET', 'INET', 'PACKET'], 'n'));
    expect(b.hash).toBe(a.hash);
    await oracle.evaluate(a);
    await oracle.evaluate(b);
    await oracle.evaluate(a);
    expect({ builds: oracle.builds, evaluations: oracle.evaluations }).toEqual({ builds: 1, evaluations: 3 });
  });

  it('counts the builds of the classic loop: one per candidate, the freed ZLIB in a second round, then the closing check', async () => {
    // Round 1: -NET fails, -INET passes, -UNIX fails, -PACKET passes, -PROC_FS fails, -SQUASHFS and
    // -DEBUG_KERNEL pass (7). Round 2: ZLIB, no longer selected (1). Closing check: NET, UNIX and
    // PROC_FS alone on the final config, three configs not judged yet (3).
    const { result, oracle } = await searchWithModel({ ...scope(), required: ['UNIX', 'PROC_FS'], strategy: 'one-at-a-time' });
    expect(result.kept).toEqual(['NET', 'UNIX', 'PROC_FS']);
    expect(result.rounds.map((r) => r.candidates)).toEqual([['NET', 'INET', 'UNIX', 'PACKET', 'PROC_FS', 'SQUASHFS', 'DEBUG_KERNEL'], ['ZLIB']]);
    expect(oracle.builds).toBe(11);
    expect(await oneAtATimeReference({ ...scope(), required: ['UNIX', 'PROC_FS'] })).toBe(11);
    expect(await oneAtATimeReference({ ...scope(), required: ['UNIX', 'PROC_FS'], monotone: true })).toBe(8);
  });

  it('takes a guess: learned from another run with the same needs, it holds, and the kept options go one at a time', async () => {
    const guess = learnedGuess([], [{ app: '/srv/other', kernelVersion: '9.9.0', finishedAt: '', needed: ['NET', 'UNIX', 'PROC_FS'].map((option) => ({ option, verdict: 'fail' })) }]);
    const { result, oracle } = await searchWithModel({ ...scope(), required: ['UNIX', 'PROC_FS'], strategy: 'bisect', guess });
    expect(result.guess).toMatchObject({ held: true, kept: ['NET', 'UNIX', 'PROC_FS'] });
    expect(result.kept).toEqual(['NET', 'UNIX', 'PROC_FS']);
    // The guess's test (ZLIB freed and removed with it), then NET, UNIX and PROC_FS alone.
    expect(oracle.builds).toBe(4);
  });
});
