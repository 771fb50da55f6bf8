// The out dir's result is replaced as a whole: a writer killed with SIGKILL at any point leaves the previous result or the new one, never a mix.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockOut } from '../../src/output/lock.js';
import type { OutputRecord } from '../../src/output/record.js';
import { renderMarkdown, SVG_FILE } from '../../src/output/report.js';
import { runScript } from '../../src/vm/run-script.js';
import { renderSvg } from '../../src/output/svg.js';
import { OUTPUT_FILES, writeOutput } from '../../src/output/write.js';
import { COMPRESSIONS, initramfsFileName } from '../../src/packager/compress.js';
import { tempDir } from '../deps/helpers.js';
import { report } from './report-fixture.js';

/** Every name a result file can have: a reader of the out dir looks at these. */
const NAMES = [...OUTPUT_FILES, ...COMPRESSIONS.map(initramfsFileName)];
/** The compiled writer (scripts/setup.sh builds dist/, as `npm test` does first), for a child process to run. */
const WRITE_JS = path.resolve(__dirname, '../../dist/output/write.js');

/**
 * A child that runs writeOutput and kills itself with SIGKILL just before its KILL_AT-th change to
 * the file system (0: none; it then prints how many it made). Each fs/promises function that
 * changes something is wrapped before write.js is loaded, so the writer's own imports see the wrappers.
 */
const CHILD = `
import { createRequire, syncBuiltinESMExports } from 'node:module';
const fsp = createRequire(import.meta.url)('node:fs/promises');
const killAt = Number(process.env.KILL_AT);
let changes = 0;
for (const name of ['mkdir', 'writeFile', 'copyFile', 'chmod', 'link', 'symlink', 'rename', 'unlink', 'rm']) {
  const real = fsp[name];
  fsp[name] = (...args) => {
    if (++changes === killAt) process.kill(process.pid, 'SIGKILL');
    return real.apply(fsp, args);
  };
}
syncBuiltinESMExports();
const { writeOutput } = await import(process.env.WRITE_JS);
await writeOutput(JSON.parse(process.env.RECORD), process.env.OUT);
process.stdout.write(String(changes));
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;

/** Result `tag`: every file says which result it belongs to; the initramfs is named by its compression. */
async function record(tag: string, initramfs: string): Promise<OutputRecord> {
  await writeFile(path.join(tmp.dir, `bzImage-${tag}`), `kernel ${tag}`);
  await writeFile(path.join(tmp.dir, `initramfs-${tag}`), `initramfs ${tag}`);
  return {
    bzImage: path.join(tmp.dir, `bzImage-${tag}`), initramfs: path.join(tmp.dir, `initramfs-${tag}`),
    config: `# ${tag}\nCONFIG_NET=y\n`, defconfig: `# ${tag}\n`, cmdline: `console=ttyS0 ${tag}`,
    launch: { machine: 'pc', memory: '64M', extraArgs: [], network: { guestPort: 80 }, initramfs, accel: 'tcg', reason: tag, targets: ['qemu'] },
    report: { ...report, app: `/apps/${tag}` }, run: { app: `/apps/${tag}` },
  };
}

/** What a reader finds: each result name that reads as a file, with its content. */
async function view(out: string): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const name of NAMES) {
    const text = await readFile(path.join(out, name), 'utf8').catch(() => undefined);
    if (text !== undefined) seen[name] = text;
  }
  return seen;
}

/** An out dir as tinyx wrote it before results were swapped whole: plain files, here with an initramfs of an earlier run beside the result's. */
async function plainOut(out: string, r: OutputRecord): Promise<void> {
  await mkdir(out, { recursive: true });
  await copyFile(r.bzImage, path.join(out, 'bzImage'));
  await copyFile(r.initramfs, path.join(out, r.launch.initramfs));
  await writeFile(path.join(out, 'initramfs.cpio.zst'), 'initramfs of an earlier run');
  for (const [name, text] of [['config', r.config], ['defconfig', r.defconfig], ['cmdline', `${r.cmdline}\n`], ['run.sh', runScript(r.launch)],
    ['report.json', JSON.stringify(r.report, null, 2) + '\n'], [SVG_FILE, renderSvg(r.report)], ['report.md', renderMarkdown(r.report)], ['run.json', JSON.stringify(r.run)]] as const) {
    await writeFile(path.join(out, name), text);
  }
  await chmod(path.join(out, 'run.sh'), 0o755);
}

/** Nothing but the result's links, `.result` and one result dir, besides what is not the result's. */
async function tidy(out: string, others: string[] = []): Promise<void> {
  const current = await view(out);
  expect((await readdir(out)).sort()).toEqual([...Object.keys(current), '.result', '.results', ...others].sort());
  expect(await readdir(path.join(out, '.results'))).toHaveLength(1);
  for (const name of Object.keys(current)) expect((await lstat(path.join(out, name))).isSymbolicLink()).toBe(true);
}

describe('replacing the result', () => {
  let a: OutputRecord;
  let b: OutputRecord;
  let c: OutputRecord;
  const views: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    tmp = await tempDir('tinyx-swap-');
    [a, b, c] = [await record('a', 'initramfs.cpio.gz'), await record('b', 'initramfs.cpio.xz'), await record('c', 'initramfs.cpio.gz')];
    for (const [tag, r] of [['a', a], ['b', b], ['c', c]] as const) {
      await writeOutput(r, path.join(tmp.dir, `reference-${tag}`));
      views[tag] = await view(path.join(tmp.dir, `reference-${tag}`));
    }
    await plainOut(path.join(tmp.dir, 'reference-plain'), a);
    views.plain = await view(path.join(tmp.dir, 'reference-plain'));
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('leaves none of the previous result\'s files, and keeps what is not the result\'s (journal, .work, history)', async () => {
    const out = path.join(tmp.dir, 'plain');
    await writeOutput(a, out);
    await mkdir(path.join(out, '.work'));
    await writeFile(path.join(out, 'journal.jsonl'), '{}\n');
    await writeOutput(b, out);
    expect(await view(out)).toEqual(views.b);
    expect(existsSync(path.join(out, 'initramfs.cpio.gz'))).toBe(false);
    await tidy(out, ['.work', 'journal.jsonl']);
    expect(await readFile(path.join(out, 'journal.jsonl'), 'utf8')).toBe('{}\n');
  });

  it('takes over an out dir of plain files (an older tinyx\'s), dropping a stale initramfs with them', async () => {
    const out = path.join(tmp.dir, 'older');
    await plainOut(out, a);
    expect(await view(out)).toEqual(views.plain);
    await writeOutput(c, out);
    expect(await view(out)).toEqual(views.c);
    await tidy(out);
  });

  for (const start of ['plain', 'a'] as const) {
    it(`killed at each change to the file system over ${start === 'plain' ? 'an older tinyx\'s out dir' : 'a result'}, leaves the old result or the new, which the next lock settles`, async () => {
      expect(existsSync(WRITE_JS), `${WRITE_JS}: run scripts/setup.sh (npm run build)`).toBe(true);
      const prepare = async (out: string) => (start === 'plain' ? plainOut(out, a) : writeOutput(a, out));
      const child = (out: string, killAt: number) => execa('node', ['--input-type=module', '-e', CHILD], {
        env: { KILL_AT: String(killAt), WRITE_JS, RECORD: JSON.stringify(b), OUT: out }, reject: false,
      });
      const whole = path.join(tmp.dir, `${start}-whole`);
      await prepare(whole);
      const full = await child(whole, 0);
      expect(full.exitCode, full.stderr).toBe(0);
      expect(await view(whole)).toEqual(views.b);
      const changes = Number(full.stdout);
      expect(changes).toBeGreaterThan(10);

      const limit = pLimit(3);
      const found = await Promise.all(Array.from({ length: changes }, (_, i) => i + 1).map((killAt) => limit(async () => {
        const out = path.join(tmp.dir, `${start}-killed-${killAt}`);
        await prepare(out);
        const killed = await child(out, killAt);
        expect(killed.signal, `kill at change ${killAt}: ${killed.stderr}`).toBe('SIGKILL');
        const seen = await view(out);
        const which = JSON.stringify(seen) === JSON.stringify(views[start]) ? 'old' : JSON.stringify(seen) === JSON.stringify(views.b) ? 'new' : 'mixed';
        expect(which, `kill at change ${killAt}: ${JSON.stringify(Object.keys(seen))}`).not.toBe('mixed');
        // The next run settles what the killed writer left, and the result reads as it did.
        const lock = await lockOut(out, () => undefined);
        expect(await view(out)).toEqual(seen);
        await tidy(out, ['tinyx.lock']);
        await lock.release();
        await writeOutput(c, out);
        expect(await view(out)).toEqual(views.c);
        return which;
      })));
      expect(found[0]).toBe('old');
      expect(found.at(-1)).toBe('new');
    }, 600_000);
  }
});
