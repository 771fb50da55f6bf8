// Cancelling or timing out a build stops make and everything it started (its process group).
import { execa } from 'execa';
import { mkdtemp, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernel } from '../../src/tester/build.js';
import { runTests } from '../../src/tester/probe.js';

const slowTree = path.resolve(__dirname, '../fixtures/tester/slow-tree');

async function sleepers(): Promise<number> {
  const r = await execa('pgrep', ['-f', '^sleep 6[01]$'], { reject: false });
  return r.stdout.split('\n').filter(Boolean).length;
}

describe('stopping long work', () => {
  it('cancels a build with its sub-makes and returns promptly', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const controller = new AbortController();
    const before = await sleepers();
    const started = Date.now();
    const building = buildKernel({
      srcDir: slowTree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'), signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 1_500);
    const result = await building;
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('canceled');
    expect(Date.now() - started).toBeLessThan(15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sleepers()).toBe(before);
  });

  it('times out a build the same way', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const result = await buildKernel({
      srcDir: slowTree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'), timeoutMs: 1_500,
    });
    expect(result.reason).toBe('build timed out');
    expect(result.logTail).toContain('building');
  });

  it('times out tests whose children would hold the output open', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-probe-'));
    const tests = path.join(dir, 'probe.sh');
    await writeFile(tests, '#!/bin/sh\nsleep 60 &\nsleep 61\n');
    await chmod(tests, 0o755);
    const started = Date.now();
    const result = await runTests({ tests, host: '127.0.0.1', port: 1, consoleLog: '/dev/null', logFile: path.join(dir, 'test.log'), timeoutMs: 1_000 });
    expect(result.passed).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
