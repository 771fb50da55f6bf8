// The sanity stage's TINYX_START_FAILS, built from a failing start verdict: the kind the console shows, its line, its advice.
// The console logs in test/fixtures/tester/start-failure are real boots of the start kernel under TCG (the profile's
// cmdline, tinyx's init): missing-config.c packed without the file it opens, and a 40 MB archive packed with xz
// the way tinyx did before its dictionary was capped (a dictionary the archive's size), booted in a 48M guest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinyxError } from '../../src/errors.js';
import { traceRetry } from '../../src/run/minimize.js';
import { startFailsError } from '../../src/run/stages/start-fails.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { REPO } from '../deps/helpers.js';

const FIXTURES = path.join(REPO, 'test/fixtures/tester/start-failure');
const initramfs = { compression: 'xz' as const, bytes: 829_596, uncompressedBytes: 41_027_000 };

async function verdict(status: Verdict['status'], reason: string, log: string): Promise<Verdict> {
  const consoleLog = path.join(FIXTURES, log);
  // Only the last lines, as a verdict keeps them: the kernel's early line is in the log alone.
  const consoleTail = (await readFile(consoleLog, 'latin1')).split('\n').slice(-5).join('\n');
  return { status, reason, configHash: 'h', cmdline: '', built: true, buildMs: 0, bootMs: 1, testMs: 0, consoleTail, consoleLog };
}

describe('startFailsError', () => {
  it('names an unpack failure from the whole console log, with the decoder\'s advice and not --init busybox', async () => {
    const v = await verdict('panic', 'Kernel panic - not syncing: No working init found.', 'xz-out-of-memory.console');
    expect(v.consoleTail).not.toContain('Initramfs unpacking failed');
    const error = await startFailsError(v, { initKind: 'tinyx', memory: '48M', initramfs }, '/work');
    expect(error.code).toBe('TINYX_START_FAILS');
    expect(error.message).toMatch(/^The tests fail on the unreduced VM \(panic: Kernel panic - not syncing: No working init found\.\); nothing was reduced\.\n/);
    expect(error.message).toContain('\nThe console shows the kernel could not unpack the initramfs: Initramfs unpacking failed: XZ decompressor ran out of memory.\n');
    expect(error.details).toEqual({ kind: 'unpack' });
    expect(error.advice).toBe(`The kernel's decoder could not allocate what the xz initramfs (0.8 MB, 41.0 MB unpacked) asks for in the guest's 48M (the profile's qemu.memory). Pack it with another compressor (--compression zstd or gzip), or give the guest more memory (qemu.memory in a profile of your own). Logs: ${v.consoleLog}`);
  });

  it('names the missing file (not on this host either) instead of advising --init busybox', async () => {
    const v = await verdict('fail', 'the app exited before its port answered (TINYX-APP-EXITED 1)', 'missing-config.console');
    const error = await startFailsError(v, { initKind: 'tinyx', memory: '256M', initramfs }, '/work');
    expect(error.message).toContain('The console shows a file the app needs is not in the VM: could not open configuration file "/etc/x.conf": No such file or directory.');
    expect(error.details).toEqual({ kind: 'missing-file', path: '/etc/x.conf', available: 'no' });
    expect(error.advice).toMatch(/^\/etc\/x\.conf is not in the VM, nor on this host: /);
    expect(error.advice).not.toContain('--init busybox');
    // The image's root (or the host) has it: what a --trace run adds, and minimize tries once more with one.
    const has = await startFailsError(v, { initKind: 'tinyx', memory: '256M', initramfs, hostHas: (file) => file === '/etc/x.conf' }, '/work');
    expect(has.details).toEqual({ kind: 'missing-file', path: '/etc/x.conf', available: 'yes' });
    expect(traceRetry(has, {})).toBe('the start VM misses /etc/x.conf, which this host has: tracing the app (--trace) and trying once more (--no-trace: never)');
    expect(traceRetry(has, { image: 'docker-archive:x.tar' })).toContain('which the image has');
    expect([traceRetry(has, { trace: true }), traceRetry(has, { noTrace: true }), traceRetry(error, {})]).toEqual([undefined, undefined, undefined]);
    // A trace adds nothing under /tmp: no reason to trace.
    const scratch = new TinyxError('TINYX_START_FAILS', 'x', { details: { kind: 'missing-file', path: '/tmp/x.conf', available: 'yes' } });
    expect(traceRetry(scratch, {})).toBeUndefined();
  });

  it('keeps the generic advice for a start config that does not build', async () => {
    const v: Verdict = { status: 'build-error', reason: 'make failed', configHash: 'h', cmdline: '', built: true, buildMs: 1, bootMs: 0, testMs: 0, consoleTail: 'error: x', buildLog: '/work/build.log' };
    const error = await startFailsError(v, { initKind: 'tinyx', memory: '256M', initramfs }, '/work');
    expect(error.message).toBe('The tests fail on the unreduced VM (build-error: make failed); nothing was reduced.\nerror: x');
    expect(error.details).toEqual({ kind: 'unknown' });
    expect(error.advice).toMatch(/try --init busybox\. Check the app and the tests by hand\. Logs: \/work\/build\.log$/);
  });
});
