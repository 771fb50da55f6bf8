// The output record is built inside the run (savedefconfig in the run's kconfig scratch dir), so
// closing the run and writing the out dir leave no kconfig-<pid> dir behind. Real kernel Kconfig tools.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { KernelConfigTool } from '../../src/kconfig/kernel.js';
import type { KernelSource } from '../../src/kconfig/source.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import type { OutputRecord } from '../../src/output/record.js';
import { OUTPUT_FILES, writeOutput } from '../../src/output/write.js';
import { renderMarkdown, SVG_FILE } from '../../src/output/report.js';
import { hostFacts } from '../../src/plan/host.js';
import { makePlan, type RunRequest } from '../../src/plan/plan.js';
import { loadProfile } from '../../src/profile/load.js';
import { makeReport, outputRecordOf, type FoundResult } from '../../src/run/output-record.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { Workspace } from '../../src/tester/workspace.js';
import { tempDir } from '../deps/helpers.js';

describe('outputRecordOf', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let source: KernelSource;

  beforeAll(async () => {
    tmp = await tempDir('tinyx-record-');
    source = await resolveKernelSource();
  }, 600_000);

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('computes the defconfig while the run is open; closing it and writing the out dir leave no kconfig dir', async () => {
    // Wired as openKernel and openSearchContext do, with a cache of the test's own.
    const workspace = new Workspace(source.key, path.join(tmp.dir, 'cache'));
    const tool = new KernelConfigTool(source.dir, workspace.kconfigDir);
    const claimed = await workspace.claimSlots(1);
    const builds = path.dirname(workspace.slotDir(0));
    const scratch = async () => (await readdir(builds).catch(() => [] as string[])).filter((name) => name.startsWith('kconfig-'));

    const result = await fakeResult(tmp.dir);
    const record = await outputRecordOf(result, tool, { app: '/bin/true' });
    expect(await scratch()).toEqual([path.basename(workspace.kconfigDir)]);
    await claimed.release();
    expect(await scratch()).toEqual([]);

    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(record.defconfig).toContain('CONFIG_NET=y');
    expect(record.config).toContain('CONFIG_VIRTIO_NET=y');
    expect([record.report.kernelVersion, record.report.kernelTree, record.report.kernelSource]).toEqual(['6.1', '6.1-0123abcd', 'tree sha256:00']);
    expect(record.report.kept).toEqual(['VIRTIO_NET']);
    expect(record.report.rounds).toEqual([{ candidates: ['VIRTIO_NET', 'SIGNALFD'], removed: ['SIGNALFD'], kept: ['VIRTIO_NET'], builds: 1 }]);
    // The harness options enabled at the end that were not searched (VIRTIO_NET was, by --candidates).
    expect(record.report.harness).toEqual(['64BIT', 'NET']);
    expect(record.report.start.bzImageBytes).toBe(6);
    expect(record.report.final.bzImageBytes).toBe(5);
    expect(record.launch).toMatchObject({ network: { guestPort: 80 }, accel: 'tcg', reason: 'asked for', memory: '39M', initramfs: 'initramfs.cpio.gz' });
    expect(record.report.compression).toEqual(result.compression);
    expect(record.report.initramfs.compression).toBe('gzip');
    expect(record.report.boot).toEqual({ accel: 'tcg', final: { initMs: 800, appMs: 1200, readyMs: 1500 } });
    expect(record.report.init).toEqual({ kind: 'tinyx', choice: 'auto', reason: 'the app is an ELF executable' });
    expect(record.report.memory).toMatchObject({ leastMiB: 31, runMiB: 39 });
    expect(record.report.searchSeries).toEqual(result.searchSeries);
    expect(record.report.initramfs.parts).toEqual({ app: 2, libraries: 3, init: 2, other: 1 });

    const out = path.join(tmp.dir, 'out');
    await writeOutput(JSON.parse(JSON.stringify(record)) as OutputRecord, out);
    expect((await readdir(out)).filter((n) => !n.startsWith('.')).sort()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz'].sort());
    expect(await scratch()).toEqual([]);
    // The picture of the run: its series, and the final kernel (the final bzImage's 5 bytes) beside the initramfs's parts.
    const svg = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(path.join(out, SVG_FILE), 'utf8')) as { svg: { g: { id: string; circle?: { 'data-value': string }[]; rect?: { 'data-bytes': string }[] }[] } };
    const group = (id: string) => svg.svg.g.find((g) => g.id === id)!;
    expect(group('bzimage-series').circle!.map((c) => Number(c['data-value']))).toEqual([6, 5]);
    expect(group('options-series').circle!.map((c) => Number(c['data-value']))).toEqual([3, 3]);
    expect(group('vm-parts').rect!.map((r) => Number(r['data-bytes']))).toEqual([5, 2, 3, 2, 1]);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain(`](${SVG_FILE})`);
  }, 600_000);
});

describe('makeReport', () => {
  it('lists what a directory app left out in report.json (rootfs.excluded) and report.md', async () => {
    const tmp = await tempDir('tinyx-report-');
    try {
      const result = await fakeResult(tmp.dir);
      const excluded = [{ path: '/srv/webapp/.env', why: 'environment file (secrets)' }, { path: '/srv/webapp/out', why: 'output of an earlier tinyx run (holds journal.jsonl)' }];
      const report = makeReport({ ...result, manifest: { ...result.manifest, excluded } }, { startBzImage: 6, finalBzImage: 5 }, '0.0.0');
      expect(report.rootfs.excluded).toEqual(excluded);
      expect(renderMarkdown(report)).toContain('Left out of the app directory (`--include PATH` puts one in):\n\n- `/srv/webapp/.env`: environment file (secrets)\n- `/srv/webapp/out`: output of an earlier tinyx run (holds journal.jsonl)\n');
      expect(makeReport(result, { startBzImage: 6, finalBzImage: 5 }, '0.0.0').rootfs.excluded).toEqual([]);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('makeReport and --trace', () => {
  it('carries the calls and socket families a --trace run saw into report.json (rootfs.traced); without a trace there is none', async () => {
    const tmp = await tempDir('tinyx-report-');
    try {
      const result = await fakeResult(tmp.dir);
      const traced = { syscalls: ['epoll_wait', 'socket', 'tuxcall'], failedCalls: ['tuxcall: ENOSYS'], families: ['AF_INET6'] };
      const report = makeReport({ ...result, manifest: { ...result.manifest, traced } }, { startBzImage: 6, finalBzImage: 5 }, '0.0.0');
      expect(JSON.parse(JSON.stringify(report)).rootfs.traced).toEqual(traced);
      expect(makeReport(result, { startBzImage: 6, finalBzImage: 5 }, '0.0.0').rootfs).not.toHaveProperty('traced');
    } finally {
      await tmp.cleanup();
    }
  });
});

/** A finished run's result with small stand-in files (no kernel was built for it). */
async function fakeResult(dir: string): Promise<FoundResult> {
  const profile = await loadProfile();
  const file = (name: string, text: string) => writeFile(path.join(dir, name), text).then(() => path.join(dir, name));
  const verdict: Verdict = { status: 'pass', reason: 'tests passed', configHash: 'h', cmdline: profile.boot.cmdline, built: false, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '' };
  const start = parseDotConfig('CONFIG_64BIT=y\nCONFIG_VIRTIO_NET=y\nCONFIG_SIGNALFD=y\n');
  const final = parseDotConfig('CONFIG_64BIT=y\nCONFIG_NET=y\nCONFIG_VIRTIO_NET=y\n');
  const request: RunRequest = { app: '/bin/true', appArgs: [], tests: '/bin/true', port: 80, profile };
  return {
    request, plan: makePlan(request, hostFacts()),
    kernelVersion: '6.1', kernelTree: '6.1-0123abcd', kernelSource: 'tree sha256:00', accel: { accel: 'tcg', choice: 'tcg', reason: 'asked for', cached: false },
    start: { config: start, verdict, bzImage: await file('start-bzImage', 'kernel') },
    final: { config: final, verdict, bzImage: await file('final-bzImage', 'small'), cmdline: profile.boot.cmdline },
    kernel: { final: { config: final, hash: 'h' }, candidates: ['VIRTIO_NET', 'SIGNALFD'], noops: [], removed: ['SIGNALFD'], kept: ['VIRTIO_NET'], reasons: { VIRTIO_NET: 'fail: tests exited with 1' },
      rounds: [{ candidates: ['VIRTIO_NET', 'SIGNALFD'], removed: ['SIGNALFD'], kept: ['VIRTIO_NET'], builds: 1 }], recheck: { checked: [], removed: [], builds: 0 } },
    cmdlineRemoved: [], initramfs: { file: await file('initramfs.cpio.gz', 'cpio'), compression: 'gzip', bytes: 4, uncompressedBytes: 8, entries: 1, parts: { app: 2, libraries: 3, init: 2, other: 1 } },
    searchSeries: { began: '2024-05-01T10:00:00.000Z', points: [
      { label: 'start', configHash: 's', bzImageBytes: 6, optionsEnabled: 3, seconds: 1 },
      { label: '-SIGNALFD', configHash: 'h', bzImageBytes: 5, optionsEnabled: 3, seconds: 2 },
    ] },
    manifest: { app: { hostPath: '/bin/true', guestPath: '/bin/true' }, entries: [] },
    init: { kind: 'tinyx', choice: 'auto', reason: 'the app is an ELF executable' },
    evaluations: 2, builds: 0, flaky: [], wallSeconds: 1, workerEvents: [], stages: [{ stage: 'output', seconds: 0 }],
    boot: { final: { initMs: 800, appMs: 1200, readyMs: 1500 } },
    compression: {
      asked: 'gzip', used: 'gzip', initramfs: [{ compression: 'gzip', bytes: 4 }],
      rows: [{ compression: 'gzip', shipped: true, status: 'pass', reason: 'the searched result, re-checked', bzImageBytes: 5, initramfsBytes: 4, totalBytes: 9 }],
    },
    memory: { fromMiB: 256, leastMiB: 31, runMiB: 39, marginPercent: 25, probes: [{ mib: 30, passed: false, reason: 'boot-timeout: no marker' }, { mib: 31, passed: true, reason: 'pass: tests passed' }] },
  };
}
