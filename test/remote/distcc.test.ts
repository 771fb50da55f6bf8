// distcc through ccache with a real distccd on loopback: compiles go to the daemon, repeats hit ccache.
import { execa, type ResultPromise } from 'execa';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distccEnv, distccJobs, parseDistccHosts } from '../../src/remote/distcc.js';
import { freePort } from '../../src/tester/ports.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let daemon: ResultPromise;
let port: number;
const log = () => path.join(tmp.dir, 'distccd.log');

beforeAll(async () => {
  tmp = await tempDir('tinyx-distcc-');
  await mkdir(path.join(tmp.dir, 'distcc-state'));
  // distccd drops root for `nobody` before it opens its log.
  await chmod(tmp.dir, 0o755);
  await writeFile(log(), '');
  await chmod(log(), 0o666);
  port = await freePort();
  daemon = execa('distccd', ['--daemon', '--no-detach', '--listen', '127.0.0.1', '--port', String(port), '--allow', '127.0.0.1',
    '--user', 'nobody', '--jobs', '2', '--log-file', log(), '--log-level', 'info'], { reject: false, stdin: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const open = await execa('sh', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { shell: '/bin/bash', reject: false });
    if (open.exitCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  daemon?.kill('SIGTERM');
  await daemon;
  await tmp?.cleanup();
});

describe('distccEnv', () => {
  it('checks host lists and sums job limits', () => {
    expect(parseDistccHosts('build1/4 build2:3632/8,lzo')).toBe('build1/4 build2:3632/8,lzo');
    expect(distccJobs('build1/4 build2:3632/8,lzo localhost')).toBe(14);
    expect(() => parseDistccHosts('bad host!')).toThrowError(/not a distcc host list: host!/);
    expect(distccEnv('127.0.0.1:3632/2')).toMatchObject({ CCACHE_PREFIX: 'distcc', DISTCC_HOSTS: '127.0.0.1:3632/2', DISTCC_FALLBACK: '0' });
  });

  it('compiles C files through ccache and a loopback distccd, then from the cache', async () => {
    const src = path.join(tmp.dir, 'src');
    await mkdir(src, { recursive: true });
    const files = ['a', 'b', 'c'];
    for (const f of files) await writeFile(path.join(src, `${f}.c`), `int ${f}_value(int x) { return x * ${f.charCodeAt(0)}; }\n`);
    await writeFile(path.join(src, 'main.c'), `int a_value(int);int b_value(int);int c_value(int);\nint main(void) { return a_value(1) + b_value(1) + c_value(1) == 294 ? 0 : 1; }\n`);
    const env = { ...distccEnv(`127.0.0.1:${port}/2`), CCACHE_DIR: path.join(tmp.dir, 'ccache'), DISTCC_DIR: path.join(tmp.dir, 'distcc-state') };
    const compileAll = () => Promise.all([...files, 'main'].map((f) => execa('ccache', ['gcc', '-O2', '-c', `${f}.c`, '-o', `${f}.o`], { cwd: src, env })));
    await compileAll();
    await execa('gcc', ['-o', 'prog', ...[...files, 'main'].map((f) => `${f}.o`)], { cwd: src });
    expect((await execa(path.join(src, 'prog'), { reject: false })).exitCode).toBe(0);
    const served = (await readFile(log(), 'utf8')).match(/COMPILE_OK/g) ?? [];
    expect(served.length).toBe(4);
    await compileAll();
    expect((await readFile(log(), 'utf8')).match(/COMPILE_OK/g)?.length).toBe(4);
    const stats = await execa('ccache', ['-s', '-v'], { env });
    expect(stats.stdout).toMatch(/Hits:\s+4/);
  });

  it('fails the compile (no silent local fallback) when the distcc host is down', async () => {
    const dead = await freePort();
    const env = { ...distccEnv(`127.0.0.1:${dead}/2`), CCACHE_DIR: path.join(tmp.dir, 'ccache2'), DISTCC_DIR: path.join(tmp.dir, 'distcc-state') };
    await writeFile(path.join(tmp.dir, 'd.c'), 'int d(void) { return 4; }\n');
    const result = await execa('ccache', ['gcc', '-c', 'd.c'], { cwd: tmp.dir, env, reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/failed to distribute and fallbacks are disabled/);
  });
});
