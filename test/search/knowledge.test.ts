// The knowledge file in real temp dirs: reading what is there (or ignoring what is not one), recording runs under a lock.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { knowledgeFile, parseKnowledge, readKnowledge, recordKnowledge, type KnowledgeRun } from '../../src/search/knowledge.js';

function run(app: string, kernelVersion: string, options: string[]): KnowledgeRun {
  return { app, kernelVersion, finishedAt: '2024-01-01T00:00:00.000Z', needed: options.map((option) => ({ option, verdict: 'fail: tests failed' })) };
}

let cache: string;
let file: string;
beforeEach(async () => {
  cache = await mkdtemp(path.join(tmpdir(), 'tinyx-knowledge-'));
  file = knowledgeFile(cache, 'qemu-x86_64');
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

/** readKnowledge, with the warnings it gave. */
async function read(): Promise<{ runs: KnowledgeRun[]; warnings: string[] }> {
  const warnings: string[] = [];
  const runs = await readKnowledge(file, (m) => warnings.push(m));
  return { runs, warnings };
}

describe('knowledgeFile', () => {
  it('is one file per profile under the cache, the profile name made safe for a file name', () => {
    expect(file).toBe(path.join(cache, 'knowledge', 'qemu-x86_64.json'));
    expect(knowledgeFile(cache, '../my profile')).toBe(path.join(cache, 'knowledge', '.._my_profile.json'));
  });
});

describe('readKnowledge', () => {
  it('has no runs, and says nothing, when the file is missing', async () => {
    expect(await read()).toEqual({ runs: [], warnings: [] });
  });

  it.each([
    ['torn JSON', '{"version": 1, "runs": ['],
    ['another version', JSON.stringify({ version: 2, profile: 'qemu-x86_64', runs: [] })],
    ['runs that are not a list', JSON.stringify({ version: 1, profile: 'qemu-x86_64', runs: {} })],
    ['a run without its kernel', JSON.stringify({ version: 1, profile: 'qemu-x86_64', runs: [{ app: '/a', needed: [] }] })],
    ['a needed option without its verdict', JSON.stringify({ version: 1, profile: 'qemu-x86_64', runs: [{ app: '/a', kernelVersion: '6.6.1', needed: [{ option: 'NET' }] }] })],
    ['null', 'null'],
  ])('ignores a file that is not one tinyx wrote (%s), with one warning naming it', async (_, text) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    const { runs, warnings } = await read();
    expect(runs).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
  });

  it('warns, naming the file, when it cannot be read', async () => {
    await mkdir(file, { recursive: true });
    const { runs, warnings } = await read();
    expect(runs).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`cannot read the knowledge file ${file}`);
  });

  it('parseKnowledge reads back the runs of a valid file', () => {
    const runs = [run('/srv/app', '6.6.1', ['NET', 'EPOLL'])];
    expect(parseKnowledge(JSON.stringify({ version: 1, profile: 'p', runs }))).toEqual(runs);
  });
});

describe('recordKnowledge', () => {
  it('creates the file with the run, and the profile it is for', async () => {
    const first = run('/srv/app', '6.6.1', ['NET', 'EPOLL']);
    await recordKnowledge(file, 'qemu-x86_64', first);
    expect(await read()).toEqual({ runs: [first], warnings: [] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, profile: 'qemu-x86_64' });
  });

  it('replaces the entry of the same app and kernel, and adds one for another app or another kernel', async () => {
    await recordKnowledge(file, 'qemu-x86_64', run('/srv/app', '6.6.1', ['NET', 'EPOLL']));
    await recordKnowledge(file, 'qemu-x86_64', run('/srv/other', '6.6.1', ['FUTEX']));
    const again = run('/srv/app', '6.6.1', ['NET']);
    await recordKnowledge(file, 'qemu-x86_64', again);
    const newer = run('/srv/app', '6.8.0', ['NET', 'AIO']);
    await recordKnowledge(file, 'qemu-x86_64', newer);
    const { runs } = await read();
    expect(runs).toEqual([run('/srv/other', '6.6.1', ['FUTEX']), again, newer]);
  });

  it('rewrites a file that is not one tinyx wrote', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'not json');
    const first = run('/srv/app', '6.6.1', ['NET']);
    await recordKnowledge(file, 'qemu-x86_64', first);
    expect(await read()).toEqual({ runs: [first], warnings: [] });
  });

  it('keeps every one of concurrent writers, and leaves no lock or temp file behind', async () => {
    const written = ['/srv/a', '/srv/b', '/srv/c'].map((app) => run(app, '6.6.1', ['NET']));
    await Promise.all(written.map((r) => recordKnowledge(file, 'qemu-x86_64', r)));
    const { runs } = await read();
    expect(runs).toHaveLength(3);
    expect(runs).toEqual(expect.arrayContaining(written));
    expect(await readdir(path.dirname(file))).toEqual(['qemu-x86_64.json']);
  });

  it('takes over a lock that a writer which is gone left behind', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, '134217727'); // above any pid Linux hands out
    const first = run('/srv/app', '6.6.1', ['NET']);
    await recordKnowledge(file, 'qemu-x86_64', first);
    expect(await read()).toEqual({ runs: [first], warnings: [] });
    expect(await readdir(path.dirname(file))).toEqual(['qemu-x86_64.json']);
  });
});
