// tinyx worker check's probe against a real loopback sshd: paths full of quotes, spaces and newlines
// are looked at, never run, and come back whole.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWorker } from '../../src/remote/check.js';
import { connectWorker } from '../../src/remote/connect.js';
import type { SshConnection } from '../../src/remote/connection.js';
import { tempDir } from '../deps/helpers.js';
import { exists, hostileName } from '../helpers/hostile.js';
import { startSshd, type Sshd } from './sshd.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let cache: string;
let sshd: Sshd;
let session: SshConnection;
beforeAll(async () => {
  tmp = await tempDir('tinyx-check-');
  cache = path.join(tmp.dir, 'worker cache');
  await mkdir(cache);
  sshd = await startSshd({ env: { TINYX_CACHE: cache } });
  session = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts] });
});
afterAll(async () => {
  session?.close();
  await sshd?.stop();
  await tmp?.cleanup();
});

const item = (items: Awaited<ReturnType<typeof checkWorker>>, name: string) => items.find((i) => i.name === name);

describe('checkWorker', () => {
  it('finds a kernel tree at a hostile path, gives the path back whole, and runs nothing in it', async () => {
    const marker = path.join(tmp.dir, 'MARKER');
    const kernelSrc = path.join(tmp.dir, hostileName(marker));
    await mkdir(path.join(kernelSrc, 'scripts', 'kconfig'), { recursive: true });
    await writeFile(path.join(kernelSrc, 'Makefile'), 'VERSION = 6\n');
    const items = await checkWorker(session, { kernelSrc });
    expect(item(items, 'kernel source')).toEqual({ name: 'kernel source', ok: true, required: true, detail: kernelSrc });
    expect(await exists(marker)).toBe(false);
  });

  it('says a hostile kernelSrc that is no tree is missing, with its exact path, and runs nothing in it', async () => {
    const marker = path.join(tmp.dir, 'MARKER-2');
    const kernelSrc = path.join(tmp.dir, 'absent', hostileName(marker));
    const items = await checkWorker(session, { kernelSrc });
    expect(item(items, 'kernel source')).toEqual({
      name: 'kernel source', ok: false, required: true, detail: `${kernelSrc} is not a kernel tree (no Makefile or scripts/kconfig)`,
    });
    expect(await exists(marker)).toBe(false);
    // The rest of the probe still reads right: the tools, and the cache dir with a space in its name.
    expect(item(items, 'make')?.detail).toMatch(/^\/.*\/make$/);
    expect(item(items, 'free disk')?.detail.split(' GiB free at ')[1]).toBe(`${cache} (need 4)`);
  });
});
