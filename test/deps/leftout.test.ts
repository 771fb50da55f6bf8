// What a directory app leaves behind on the host: VCS data, secrets, editor debris, tinyx output; no file keeps a setuid bit.
import { appendFile, chmod, mkdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';
import { resolveApp, type Manifest } from '../../src/deps/index.js';
import { leftOutName } from '../../src/deps/leftout.js';
import { hostAccounts } from '../../src/packager/accounts.js';
import { packArchive } from '../../src/packager/initramfs.js';
import { membersOf } from '../helpers/newc.js';
import { tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let app: string;
/** A host /etc whose groups have members. */
let etc: string;

/** Every file of the fixture that must stay on the host holds this. */
const SECRET = 'SECRET-7f3a';

beforeAll(async () => {
  tmp = await tempDir('tinyx-leftout-');
  app = path.join(tmp.dir, 'webapp');
  const put = async (rel: string, text: string, mode = 0o644) => {
    await mkdir(path.dirname(path.join(app, rel)), { recursive: true });
    await writeFile(path.join(app, rel), text);
    await chmod(path.join(app, rel), mode);
  };
  // The entry reads its .env at run time, as dotenv does.
  await put('run', '#!/bin/sh\ncat "$(dirname "$0")/.env" >/dev/null\n', 0o755);
  await put('data/page.html', '<p>hi</p>\n');
  await put('data/.page.html.swp', SECRET);
  await put('.git/config', `[remote "origin"]\n\turl = https://${SECRET}@example.com/webapp.git\n`);
  await put('.env', `API_KEY=${SECRET}\n`);
  await put('.env.local', `API_KEY=${SECRET}\n`);
  await put('foo~', SECRET);
  await put('.idea/workspace.xml', SECRET);
  await put('out/journal.jsonl', `{"secret":"${SECRET}"}\n`);
  await put('out/.work/logs/console.log', SECRET);
  await put('bin/helper', '#!/bin/sh\n', 0o4755);
  await put('bin/group-helper', '#!/bin/sh\n', 0o2755);
  etc = path.join(tmp.dir, 'etc');
  await mkdir(etc);
  await writeFile(path.join(etc, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\npostgres:x:105:110::/var/lib/postgresql:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
  await writeFile(path.join(etc, 'group'), 'root:x:0:\nsudo:x:27:alice\nssl-cert:x:103:postgres,alice\nalice:x:1000:\n');
});
afterAll(async () => tmp.cleanup());

const guest = (m: Manifest) => m.entries.map((e) => e.guestPath);
const packed = async (m: Manifest) => packArchive({ manifest: m, init: { appGuestPath: m.app.guestPath, appArgs: [], network: { guestPort: 80 } }, accounts: await hostAccounts([], etc) });

describe('leftOutName', () => {
  it('names version control, environment files, credentials and editor or OS debris; nothing else', () => {
    for (const name of ['.git', '.hg', '.svn', '.env', '.env.local', '.env.production', '.envrc', '.npmrc', '.netrc', '.idea', '.vscode', 'foo~', '.main.c.swp', '.main.c.swo', '#notes#', '.#notes', '.DS_Store']) {
      expect(leftOutName(name), name).toBeDefined();
    }
    for (const name of ['run', 'env.py', '.environment', '.gitignore', 'data', 'swp', 'notes#1', 'a~b']) expect(leftOutName(name), name).toBeUndefined();
  });
});

describe('a directory app on the host', () => {
  it('leaves out .git, .env files, editor debris and an earlier run\'s output, lists them, and packs none of their bytes', async () => {
    const m = await resolveApp(app);
    expect(guest(m)).toEqual(expect.arrayContaining(['/app/webapp/run', '/app/webapp/data/page.html', '/app/webapp/bin/helper']));
    expect(guest(m).filter((p) => /\/(\.git|\.env|\.idea|out|foo~|\.page\.html\.swp)(\/|$)/.test(p))).toEqual([]);
    expect(m.excluded?.map((x) => path.relative(app, x.path))).toEqual(['.env', '.env.local', '.git', '.idea', 'data/.page.html.swp', 'foo~', 'out']);
    expect(m.excluded?.find((x) => x.path.endsWith('/out'))?.why).toMatch(/earlier tinyx run.*journal\.jsonl/);
    const { archive } = await packed(m);
    expect(archive.includes(SECRET)).toBe(false);
    expect([...membersOf(archive).keys()].filter((p) => p.startsWith('/app/webapp/')).sort()).toEqual(
      ['bin', 'bin/group-helper', 'bin/helper', 'data', 'data/page.html', 'run'].map((p) => `/app/webapp/${p}`),
    );
    // The earlier run going on (its journal and logs growing) leaves the archive as it was: resume finds its verdicts.
    await appendFile(path.join(app, 'out/journal.jsonl'), '{"more":1}\n');
    await writeFile(path.join(app, 'out/.work/logs/boot-2.log'), 'more\n');
    expect((await packed(await resolveApp(app))).archive.equals(archive)).toBe(true);
  });

  it('clears setuid and setgid bits in the archive, saying so, unless keepSetuid', async () => {
    const m = await resolveApp(app);
    const modes = membersOf((await packed(m)).archive);
    expect((modes.get('/app/webapp/bin/helper')!.mode & 0o7777).toString(8)).toBe('755');
    expect((modes.get('/app/webapp/bin/group-helper')!.mode & 0o7777).toString(8)).toBe('755');
    expect(m.entries.find((e) => e.guestPath === '/app/webapp/bin/helper')?.reason).toMatch(/setuid\/setgid bit dropped/);
    const kept = membersOf((await packed(await resolveApp(app, { keepSetuid: true }))).archive);
    expect((kept.get('/app/webapp/bin/helper')!.mode & 0o7777).toString(8)).toBe('4755');
    expect((kept.get('/app/webapp/bin/group-helper')!.mode & 0o7777).toString(8)).toBe('2755');
  });

  it('gives the guest an /etc/group without the host\'s member lists', async () => {
    const group = membersOf((await packed(await resolveApp(app))).archive).get('/etc/group')!.data.toString();
    expect(group).toContain('ssl-cert:x:103:\n');
    expect(group.split('\n').filter(Boolean).map((line) => line.split(':')[3])).toEqual(group.split('\n').filter(Boolean).map(() => ''));
  });

  it('puts a left-out file in when --include names it', async () => {
    const m = await resolveApp(app, { include: [path.join(app, '.env')] });
    expect(m.entries.find((e) => e.guestPath === '/app/webapp/.env')?.kind).toBe('file');
    expect(m.excluded?.map((x) => path.basename(x.path))).toEqual(['.env.local', '.git', '.idea', '.page.html.swp', 'foo~', 'out']);
    expect(membersOf((await packed(m)).archive).get('/app/webapp/.env')?.data.toString()).toContain(SECRET);
  });

  it('leaves out this run\'s --out inside the app, though it is still empty', async () => {
    await mkdir(path.join(app, 'results'));
    try {
      const m = await resolveApp(app, { outDir: path.join(app, 'results') });
      expect(guest(m)).not.toContain('/app/webapp/results');
      expect(m.excluded?.find((x) => x.path === path.join(app, 'results'))?.why).toMatch(/--out/);
    } finally {
      await rmdir(path.join(app, 'results'));
    }
  });

  it('picks the entry without the editor\'s backup of it, and takes a left-out entry named by --entry', async () => {
    const dir = path.join(tmp.dir, 'tool');
    await mkdir(dir);
    for (const name of ['server', 'server~']) {
      await writeFile(path.join(dir, name), '#!/bin/sh\n');
      await chmod(path.join(dir, name), 0o755);
    }
    const picked = await resolveApp(dir);
    expect(picked.app.guestPath).toBe('/app/tool/server');
    expect(guest(picked)).not.toContain('/app/tool/server~');
    const named = await resolveApp(dir, { entry: 'server~' });
    expect(named.app.guestPath).toBe('/app/tool/server~');
    expect(guest(named)).toContain('/app/tool/server~');
    expect(named.excluded).toBeUndefined();
  });

  it('--trace does not add back the .env the app reads at run time', async () => {
    const m = await resolveApp(app, { strace: { seconds: 5 } });
    expect(guest(m).filter((p) => p.includes('.env'))).toEqual([]);
  });

  it('tinyx deps lists what it left out, as text and JSON', async () => {
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: () => undefined });
      return { code, stdout: out.join('') };
    };
    const text = await run(['deps', '--app', app, '--no-packages']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Left out of the app directory[^\\n]*\\n(.*\\n)*  ${path.join(app, '.env')} +environment file`));
    expect(text.stdout).not.toMatch(/\/app\/webapp\/(\.env|\.git|out)/);
    const json = JSON.parse((await run(['deps', '--app', app, '--no-packages', '--json'])).stdout) as { excluded: { path: string; why: string }[] };
    expect(json.excluded.map((x) => path.relative(app, x.path))).toContain('out');
  });
});
