// The cache layout of one kernel tree: slot claims, and the kconfig scratch dir's lifetime.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/tester/workspace.js';
import { tempDir } from '../deps/helpers.js';

describe('Workspace', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir('tinyx-workspace-');
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('keeps one kconfig scratch dir per process beside the slots, and releasing the slots removes it', async () => {
    const workspace = new Workspace('6.1-abc', tmp.dir);
    expect(path.dirname(workspace.kconfigDir)).toBe(path.dirname(workspace.slotDir(0)));
    expect(path.basename(workspace.kconfigDir)).toBe(`kconfig-${process.pid}`);
    const claimed = await workspace.claimSlots(2);
    expect(claimed.slots).toEqual([0, 1]);
    await mkdir(workspace.kconfigDir, { recursive: true });
    await writeFile(path.join(workspace.kconfigDir, '.config'), 'CONFIG_64BIT=y\n');
    await claimed.release();
    expect(await readdir(path.dirname(workspace.slotDir(0)))).toEqual([]);
  });

  it('claims only slots no live process holds', async () => {
    const workspace = new Workspace('6.1-def', tmp.dir);
    const first = await workspace.claimSlots(1);
    const second = await workspace.claimSlots(1);
    expect([first.slots, second.slots]).toEqual([[0], [1]]);
    await Promise.all([first.release(), second.release()]);
  });
});
