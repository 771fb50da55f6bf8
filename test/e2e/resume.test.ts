// Kill a real run with SIGKILL in the middle of a kernel build (as a crash or a power cut would),
// then run the same command again: it resumes from the journal and loses only that build.
import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { Workspace } from '../../src/tester/workspace.js';
import { startKernel } from '../helpers/start-kernel.js';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const server = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');
// BINFMT_SCRIPT is removable for this ELF app (its /init is tinyx's own init, a static ELF too).
const CANDIDATE = 'BINFMT_SCRIPT';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probeFn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probeFn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** The build log of the candidate's evaluation, once make has written to it. */
async function candidateBuildLog(out: string): Promise<string | undefined> {
  const logs = path.join(out, '.work', 'logs');
  const dirs = (await readdir(logs).catch(() => [] as string[])).sort();
  for (const dir of dirs.slice(1)) {
    const log = path.join(logs, dir, 'build.log');
    if (((await stat(log).catch(() => undefined))?.size ?? 0) > 0) return log;
  }
  return undefined;
}

function journalLines(text: string): Array<{ label: string; verdict: { status: string } }> {
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('resume after kill -9 in the middle of a kernel build (real build, real boots)', () => {
  let out: string;
  let journalAtKill: string;
  let resumed: { exitCode?: number; all: string };
  let storedAtKill: boolean;
  let slotDir: string;

  beforeAll(async () => {
    // The candidate's kernel must really be built here, so drop it from the store if a run made it before.
    const start = await startKernel();
    const source = await resolveKernelSource();
    const scratch = await mkdtemp(path.join(tmpdir(), 'tinyx-resume-kconfig-'));
    const cut = await new KernelConfigTool(source.dir, scratch).olddefconfig(withValues(start.config, [CANDIDATE], 'n'));
    const artifact = new Workspace(source.key).artifactDir(hashConfig(cut));
    await rm(artifact, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });

    out = await mkdtemp(path.join(tmpdir(), 'tinyx-resume-'));
    // No rootfs stage: its boots would journal verdicts before the candidate's build, which this test counts.
    const args = [cli, 'minimize', '--app', server, '--tests', probe, '--out', out, '--candidates', CANDIDATE, '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--no-prior', '--no-prune', '--no-strip'];
    const first = execa('node', args, { detached: true, reject: false, stdin: 'ignore', all: true });
    const log = await waitFor('the candidate build to start', () => candidateBuildLog(out), 20 * 60_000);
    slotDir = await waitFor('make to enter its O= dir', async () => /Entering directory '([^']*slot[^']*)'/.exec(await readFile(log, 'utf8'))?.[1], 60_000);
    // An incremental build of one option takes tens of seconds (olddefconfig, then kbuild walks the tree).
    await sleep(3_000);
    journalAtKill = await readFile(path.join(out, 'journal.jsonl'), 'utf8');
    // Kill tinyx itself only, as a crash would: make runs in its own process group and is orphaned.
    process.kill(first.pid!, 'SIGKILL');
    await first;
    storedAtKill = await stat(path.join(artifact, 'bzImage')).then(() => true, () => false);

    resumed = await execa('node', args, { reject: false, stdin: 'ignore', all: true });
  });

  it('was killed in the middle of the candidate build, with the start verdict journaled and nothing else', () => {
    expect(storedAtKill).toBe(false);
    const entries = journalLines(journalAtKill);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.label).toBe('start');
    expect(entries[0]!.verdict.status).toBe('pass');
  });

  it('resumes: the start comes from the journal, the killed candidate is built again, the result is right', async () => {
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.all).toContain('resuming: 1 verdicts');
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.removed).toContain(CANDIDATE);
    // One build in the resumed run: the candidate whose build was killed. The start was not re-run.
    expect(report.builds).toBe(1);
    const entries = journalLines(await readFile(path.join(out, 'journal.jsonl'), 'utf8'));
    expect(entries.filter((e) => e.label === 'start')).toHaveLength(1);
    expect(entries.find((e) => e.label === `-${CANDIDATE}`)?.verdict.status).toBe('pass');
  });

  it('left no make running in the slot of the killed build', async () => {
    expect(slotDir).toMatch(/slot-\d+$/);
    const makes = await execa('pgrep', ['-f', `make .*O=${slotDir} `], { reject: false });
    expect(makes.stdout.trim()).toBe('');
  });
});
