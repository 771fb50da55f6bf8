// Which init the guest gets: tinyx's own for an ELF app, BusyBox's for a script or an app the trace saw use a shell.
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { chooseInit, decideInit, parseInitChoice } from '../../src/packager/init-kind.js';
import { buildExampleServer, tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-init-kind-');
});
afterAll(async () => tmp.cleanup());

describe('decideInit', () => {
  it('auto: tinyx for an ELF entry, BusyBox for a script or when the trace saw a shell', () => {
    expect(decideInit('auto', { entryIsElf: true, tracedShells: [] })).toMatchObject({ kind: 'tinyx', choice: 'auto', reason: expect.stringMatching(/ELF executable/) });
    expect(decideInit('auto', { entryIsElf: false, tracedShells: [] })).toMatchObject({ kind: 'busybox', reason: expect.stringMatching(/script/) });
    expect(decideInit('auto', { entryIsElf: true, tracedShells: ['/usr/bin/dash'] })).toMatchObject({ kind: 'busybox', reason: expect.stringMatching(/--trace run saw the app use \/usr\/bin\/dash/) });
  });

  it('takes an explicit choice whatever the app is', () => {
    expect(decideInit('busybox', { entryIsElf: true, tracedShells: [] })).toMatchObject({ kind: 'busybox', choice: 'busybox' });
    expect(decideInit('tinyx', { entryIsElf: false, tracedShells: ['/bin/sh'] })).toMatchObject({ kind: 'tinyx', choice: 'tinyx' });
  });

  it('parses --init and refuses anything else', () => {
    expect(parseInitChoice('tinyx')).toBe('tinyx');
    const error = (() => { try { parseInitChoice('systemd'); } catch (e) { return e; } })();
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });
});

describe('chooseInit', () => {
  it('reads the entry: the example server is ELF, a #! script is not', async () => {
    const server = await resolveApp(await buildExampleServer());
    expect((await chooseInit('auto', server)).kind).toBe('tinyx');
    const script = path.join(tmp.dir, 'job.sh');
    await writeFile(script, '#!/bin/sh\nexit 0\n');
    await chmod(script, 0o755);
    expect((await chooseInit('auto', await resolveApp(script))).kind).toBe('busybox');
  });

  it('keeps BusyBox for an ELF app whose trace ran a shell', async () => {
    const server = await resolveApp(await buildExampleServer());
    const traced = { ...server, entries: [...server.entries, { guestPath: '/usr/bin/dash', kind: 'file' as const, mode: 0o755, hostPath: '/usr/bin/dash', reason: 'used at run time (strace): /usr/bin/dash' }] };
    expect(await chooseInit('auto', traced)).toMatchObject({ kind: 'busybox', reason: expect.stringMatching(/\/usr\/bin\/dash/) });
  });
});
