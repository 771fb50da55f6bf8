// One real traced boot: the start kernel of a finished build dir runs the example app and its probe
// under QEMU with in_asm logging; the trace ranks the config's options (skipped without a build dir).
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { enabledSymbols, parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { rankCandidates, summarize } from '../../src/kernel-trace/rank.js';
import { traceStartKernel, type KernelTraceResult } from '../../src/kernel-trace/run.js';
import { DEFAULT_TIMEOUTS } from '../../src/plan/timeouts.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';
import { KERNEL_SRC, findBuildDir } from './helpers.js';

const BUILD = findBuildDir();

describe.skipIf(!BUILD)('traceStartKernel on the example app', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let trace: KernelTraceResult;
  let enabled: string[];

  beforeAll(async () => {
    tmp = await tempDir('tinyx-trace-');
    const bzImage = path.join(tmp.dir, 'bzImage');
    await copyFile(path.join(BUILD!, 'arch/x86/boot/bzImage'), bzImage);
    const config = parseDotConfig(await readFile(path.join(BUILD!, '.config'), 'utf8'));
    enabled = enabledSymbols(config);
    const manifest = await resolveApp(await buildExampleServer());
    const initramfs = await buildInitramfs({
      manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'initramfs.cpio.gz'),
    });
    trace = await traceStartKernel({
      buildDir: BUILD!, srcDir: KERNEL_SRC, bzImage, initramfs: initramfs.file, config,
      cmdline: 'console=ttyS0 panic=-1 quiet loglevel=3 tsc=reliable no_timer_check',
      qemu: { machine: 'pc', memory: '256M', accel: 'auto', extraArgs: [] }, network: { guestPort: 80 },
      tests: path.join(REPO, 'examples/hello-http/probe.sh'), logDir: path.join(tmp.dir, 'logs'), ...DEFAULT_TIMEOUTS,
    });
  }, 600_000);
  afterAll(async () => tmp?.cleanup());

  it('boots, passes the probe, and logs kernel code only', () => {
    expect(trace.boot.status, trace.boot.consoleTail).toBe('pass');
    expect(trace.log.bytes).toBeGreaterThan(1_000_000);
    expect(trace.log.addresses).toBeGreaterThan(10_000);
    expect(trace.executedFunctions).toBeGreaterThan(1_000);
    expect(trace.unattributed).toBeLessThan(trace.log.addresses * 0.01);
  });

  it('sees the code the app needs run, and some options never run', () => {
    expect(trace.objects['init/main.o']).toBe('ran');
    expect(trace.objects['net/ipv4/tcp.o']).toBe('ran');
    const ranked = rankCandidates(trace, enabled, trace.objectMap);
    const executed = (name: string) => ranked.find((r) => r.name === name)?.executed;
    for (const name of ['INET', 'VIRTIO_NET', 'VIRTIO_PCI', 'SERIAL_8250', 'BINFMT_ELF', 'PROC_FS']) expect(executed(name), name).toBe(true);
    const counts = summarize(ranked);
    expect(counts.notExecuted).toBeGreaterThan(5);
    expect(counts.executed).toBeGreaterThan(50);
  });
});
