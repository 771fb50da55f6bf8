// The main job, unbounded: every candidate of the default profile searched on the bundled example,
// with the shipped first guess; then `tinyx verify` of the result. Real builds, boots and probe.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import { loadProfile } from '../../src/profile/load.js';
import { knowledgeFile, readKnowledge } from '../../src/search/knowledge.js';
import { cacheRoot } from '../../src/util/paths.js';

const root = path.resolve(__dirname, '../..');
const server = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');

describe('a full search of hello-http (every candidate, the shipped first guess)', () => {
  let out: string;
  let code: number;
  let log: ReturnType<typeof capture>;
  let report: Record<string, any>;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tinyx-full-'));
    log = capture();
    code = await runMain(['minimize', '--app', server, '--tests', probe, '--out', out, '--compare-compression', 'none'], log.io);
    report = code === 0 ? JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) : {};
  });

  it('searches every candidate and ends with a much smaller kernel', () => {
    expect(code, log.err.join('')).toBe(0);
    expect(report.candidates).toBeGreaterThan(150);
    expect(report.final.optionsEnabled).toBeLessThan(report.start.optionsEnabled - 150);
    expect(report.final.bzImageBytes).toBeLessThan(report.start.bzImageBytes * 0.8);
  });

  it('tests its own shipped run first; it holds, so the search costs a build, not the classic loop\'s tens', async () => {
    const { search } = await loadProfile();
    const shipped = search.prior.find((p) => p.example === 'hello-http')?.needed;
    expect(shipped).toEqual([]);
    // The bundled example's run in the shipped prior, or a finished run of the same server in this cache's knowledge file.
    expect(report.guess).toMatchObject({ source: 'learned', held: true });
    expect(['profile:hello-http', server]).toContain(report.guess.own);
    expect(report.rounds[0].guess).toBe(true);
    // The guess's one config, and one per option it keeps (none): what the other examples needed is never built.
    expect(report.builds).toBeLessThanOrEqual(1 + report.guess.kept.length);
    expect(report.oneAtATimeBuilds).toBeGreaterThan(50);
    expect(log.out.join('')).toContain(`(one-at-a-time: ${report.oneAtATimeBuilds})`);
  });

  it('passes tinyx verify: it boots, and removing any candidate of its config alone fails, is undone, or grows it', async () => {
    const verifyLog = capture();
    expect(await runMain(['verify', out], verifyLog.io), verifyLog.err.join('') + verifyLog.out.join('')).toBe(0);
  });

  it('teaches the knowledge file what it found needed, for the next run\'s guess', async () => {
    const runs = await readKnowledge(knowledgeFile(cacheRoot(), 'qemu-x86_64'), () => undefined);
    const mine = runs.find((r) => r.app === server && r.kernelVersion === report.kernelVersion);
    expect(mine).toBeDefined();
    expect(mine!.needed.map((n) => n.option)).toEqual(report.kept.filter((n: string) => !report.noops.includes(n) && !report.keptReasons[n].startsWith('grows')));
  });
});
