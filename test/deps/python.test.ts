// Python scripts: the interpreter, its start-up modules and the stdlib modules the script imports.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { findPythonModules, isPython } from '../../src/deps/python.js';
import { REPO, tempDir } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const NOTES = path.join(REPO, 'examples/py-notes/notes.py');
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-python-');
});
afterAll(async () => tmp.cleanup());

describe('isPython', () => {
  it('knows python3 and python3.X, nothing else', () => {
    expect(isPython('/usr/bin/python3.11')).toBe(true);
    expect(isPython('/usr/bin/python3')).toBe(true);
    expect(isPython('/usr/bin/python2.7')).toBe(false);
    expect(isPython('/usr/bin/perl')).toBe(false);
  });
});

describe('findPythonModules', () => {
  it('lists what the script imports without running it, resolved by a real import', async () => {
    const found = await findPythonModules(PYTHON, NOTES);
    expect(found.direct).toEqual(expect.arrayContaining(['json', 'os', 'pwd', 'sys', 'http.server']));
    expect(found.loaded).toEqual(expect.arrayContaining([
      '/usr/lib/python3.11/http/server.py', '/usr/lib/python3.11/json/encoder.py', '/usr/lib/python3.11/encodings/idna.py',
    ]));
    expect(found.loaded.some((f) => f.includes('/lib-dynload/_json.'))).toBe(true);
    expect(found.stdlib).toBe('/usr/lib/python3.11');
  });
});

describe('resolveApp on a Python script', () => {
  it('takes a small part of the stdlib, not all of it', async () => {
    const manifest = await resolveApp(NOTES);
    const paths = manifest.entries.map((e) => e.guestPath);
    expect(manifest.app.guestPath).toBe('/app/notes.py');
    expect(paths).toEqual(expect.arrayContaining(['/usr/bin/python3', '/usr/bin/python3.11', '/usr/lib/python3.11/os.py', '/usr/lib/python3.11/site.py', '/usr/lib/python3.11/http/server.py']));
    expect(manifest.entries.find((e) => e.guestPath === '/usr/lib/python3.11/lib-dynload')?.kind).toBe('dir');
    const stdlib = manifest.entries.filter((e) => e.kind === 'file' && e.guestPath.startsWith('/usr/lib/python3.11/'));
    expect(stdlib.length).toBeGreaterThan(40);
    expect(stdlib.length).toBeLessThan(150); // the whole of /usr/lib/python3.11 is ~1000 modules
    for (const unused of ['/usr/lib/python3.11/unittest', '/usr/lib/python3.11/tkinter', '/usr/lib/python3.11/asyncio', '/usr/lib/python3.11/pydoc.py']) {
      expect(paths.some((p) => p === unused || p.startsWith(`${unused}/`))).toBe(false);
    }
    // an extension module brings its own libraries (_ssl, imported by http.client, needs libssl)
    expect(paths.some((p) => /libssl\.so/.test(p))).toBe(true);
    // The report's parts: the script is the app; its interpreter and the modules it loads are what it runs on.
    const part = (p: string) => manifest.entries.find((e) => e.guestPath === p)?.part;
    expect(['/app/notes.py', '/usr/bin/python3.11', '/usr/lib/python3.11/os.py', '/usr/lib/python3.11/http/server.py'].map(part)).toEqual(['app', 'libraries', 'libraries', 'libraries']);
  });

  it('puts a module beside the script beside it in the guest, with what that module imports', async () => {
    const dir = path.join(tmp.dir, 'local');
    await mkdir(dir);
    await writeFile(path.join(dir, 'helper.py'), 'import csv\n\ndef rows(text):\n    return list(csv.reader(text.splitlines()))\n');
    const script = path.join(dir, 'main.py');
    await writeFile(script, '#!/usr/bin/python3\nimport helper\nprint(helper.rows("a,b"))\n');
    await chmod(script, 0o755);
    const manifest = await resolveApp(script);
    expect(manifest.entries.find((e) => e.guestPath === '/app/helper.py')).toMatchObject({ hostPath: path.join(dir, 'helper.py'), part: 'app' });
    expect(manifest.entries.some((e) => e.guestPath === '/usr/lib/python3.11/csv.py')).toBe(true);
  });

  it('reports a script its interpreter cannot compile', async () => {
    const script = path.join(tmp.dir, 'broken.py');
    await writeFile(script, '#!/usr/bin/python3\ndef (:\n');
    await chmod(script, 0o755);
    await expect(resolveApp(script)).rejects.toThrow(/Cannot list the modules/);
  });
});
