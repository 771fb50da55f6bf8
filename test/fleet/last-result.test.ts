// An app's last result: the out dir's own (with its fingerprint only if that was written for it), else its newest history entry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fingerprint } from '../../src/fleet/fingerprint.js';
import { writeFingerprint } from '../../src/fleet/fingerprint.js';
import { archiveResult } from '../../src/fleet/history.js';
import { lastResult } from '../../src/fleet/last-result.js';

const print: Fingerprint = {
  key: 'k', kernelVersion: '6.1.1', inputs: { app: 'a', files: 'f', tests: 't', profile: 'p', kernel: '6.1.1-x', options: 'o' },
};

async function result(kept: string[]): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-last-'));
  await writeFile(path.join(out, 'bzImage'), 'kernel');
  await writeFile(path.join(out, 'config'), 'CONFIG_NET=y\n# CONFIG_EPOLL is not set\n');
  await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept, kernelVersion: '6.1.1' }));
  return out;
}

describe('lastResult', () => {
  it('is the out dir\'s result, with the fingerprint written for it and the time it passed', async () => {
    const out = await result(['VIRTIO_NET']);
    await writeFingerprint(out, print, new Date('2025-05-01T03:00:00Z'));
    const last = await lastResult(out);
    expect(last).toMatchObject({ dir: out, inOut: true, fingerprint: { key: 'k' }, report: { kept: ['VIRTIO_NET'] } });
    expect(last?.config.get('EPOLL')).toBe('n');
    expect(last?.passedAt.toISOString()).toBe('2025-05-01T03:00:00.000Z');
  });

  it('has no fingerprint once another result was written over the one it was made for', async () => {
    const out = await result(['VIRTIO_NET']);
    await writeFingerprint(out, print, new Date());
    await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept: [] }));
    expect((await lastResult(out))?.fingerprint).toBeUndefined();
  });

  it('is the newest history entry when the out dir holds no whole result, and none when there is neither', async () => {
    const out = await result(['A']);
    await archiveResult(out, new Date('2025-05-01T03:00:00Z'));
    await writeFile(path.join(out, 'report.json'), JSON.stringify({ kept: ['B'] }));
    const newest = await archiveResult(out, new Date('2025-05-02T03:00:00Z'));
    await rm(path.join(out, 'bzImage'));
    expect(await lastResult(out)).toMatchObject({ dir: newest, inOut: false, report: { kept: ['B'] } });
    expect(await lastResult(await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-last-')))).toBeUndefined();
  });
});
