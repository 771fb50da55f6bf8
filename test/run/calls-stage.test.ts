// The files the syscalls stage reads: the guest's ELF files, the app's first; a script app is none of them.
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/deps/index.js';
import { syscallsStage } from '../../src/run/stages/calls.js';
import { elfFiles } from '../../src/syscalls/app.js';
import type { RunState } from '../../src/run/state.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { KERNEL_TREES } from '../kconfig/realconf.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const entry = (hostPath: string, guestPath: string) => ({ guestPath, kind: 'file' as const, mode: 0o755, hostPath, reason: 'test' });

beforeAll(async () => {
  tmp = await tempDir('tinyx-calls-stage-');
  await writeFile(path.join(tmp.dir, 'app.sh'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(tmp.dir, 'app.sh'), 0o755);
  await copyFile('/bin/true', path.join(tmp.dir, 'true'));
});
afterAll(async () => tmp.cleanup());

describe('elfFiles', () => {
  it('a script app: only the ELF files of the closure (its interpreter), not the script', async () => {
    const script = path.join(tmp.dir, 'app.sh');
    const manifest = { app: { hostPath: script, guestPath: '/app/app.sh' }, entries: [entry(script, '/app/app.sh'), entry('/bin/dash', '/bin/sh'), entry(path.join(tmp.dir, 'app.sh'), '/etc/x')] } as unknown as Manifest;
    expect(await elfFiles(manifest)).toEqual([{ path: '/bin/dash', name: 'sh' }]);
  });

  it('an ELF app comes first, once', async () => {
    const app = path.join(tmp.dir, 'true');
    const manifest = { app: { hostPath: app, guestPath: '/app/true' }, entries: [entry('/bin/dash', '/bin/sh'), entry(app, '/app/true')] } as unknown as Manifest;
    expect(await elfFiles(manifest)).toEqual([{ path: app, name: 'true' }, { path: '/bin/dash', name: 'sh' }]);
  });
});

describe('the syscalls stage', () => {
  it('a file the analysis cannot read: a warning, and the run goes on without the evidence', async () => {
    const broken = path.join(tmp.dir, 'broken');
    await writeFile(broken, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60, 0xff)]));
    const events: MinimizeEvent[] = [];
    const s = {
      plan: { kernel: { cache: path.join(tmp.dir, 'cache') } }, kernelTree: { source: { dir: KERNEL_TREES[0]!.dir } }, options: {},
      manifest: { app: { hostPath: broken, guestPath: '/app/broken' }, entries: [] }, emit: (e: MinimizeEvent) => events.push(e),
    } as unknown as RunState;
    await syscallsStage.run(s, undefined as never);
    expect(s.needs).toBeUndefined();
    expect(events).toContainEqual({ type: 'warning', message: expect.stringMatching(/^what the app can call is not known/) });
  }, 120_000);
});
