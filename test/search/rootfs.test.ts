// The rootfs stage's search against a fake oracle (which files an archive holds decides the verdict), its candidates and
// --keep-files globs, and stripping with binutils' real strip on an ELF file cc builds.
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { packPlanned, planArchive, type PackedArchive, type PlannedArchive } from '../../src/packager/initramfs.js';
import type { RootfsNode } from '../../src/packager/rootfs.js';
import { strippableSections, strippedCopy } from '../../src/packager/strip.js';
import { isKept, libraryGraph, prunedLine, pruneCandidates, reduceRootfs, withDependents } from '../../src/search/rootfs.js';
import { filesOf } from '../helpers/newc.js';

const file = (p: string, reason: string, data: string | Buffer, part?: RootfsNode['part']): { node: RootfsNode; data: Buffer } => ({
  node: { path: p, kind: 'file', mode: 0o644, reason, ...(part ? { part } : {}) }, data: Buffer.from(data),
});

function planned(files: { node: RootfsNode; data: Buffer }[]): PlannedArchive {
  const dirs = [...new Set(files.flatMap(({ node }) => {
    const parts = node.path.split('/').slice(1, -1);
    return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
  }))].sort();
  const dirNodes: RootfsNode[] = dirs.map((d) => ({ path: d, kind: 'dir', mode: 0o755, reason: 'parent directory' }));
  return {
    nodes: [...dirNodes, ...files.map((f) => f.node)],
    entries: [...dirNodes.map((n) => ({ path: n.path, kind: n.kind, mode: n.mode })), ...files.map(({ node, data }) => ({ path: node.path, kind: node.kind, mode: node.mode, data }))],
  };
}

const PLUGINS = Array.from({ length: 40 }, (_, i) => `/usr/lib/web/mod_${String(i).padStart(2, '0')}.so`);
const NEEDED = new Set(['/usr/lib/web/mod_07.so', '/usr/lib/web/mod_31.so', '/etc/passwd']);

/** A web server's rootfs: the app, its libc and loader, an --include'd config, 40 plugins, /etc, the init. */
function webRootfs(): PlannedArchive {
  return planned([
    file('/init', 'the kernel runs /init', 'init', 'init'),
    file('/etc/tinyx/init.conf', 'what the tinyx init starts', 'conf', 'init'),
    file('/usr/sbin/web', 'app', 'the app', 'app'),
    file('/usr/lib/x86_64-linux-gnu/libc.so.6', 'DT_NEEDED libc.so.6 of /usr/sbin/web (found via ld.so.cache)', 'libc', 'libraries'),
    file('/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 'ELF interpreter (PT_INTERP) of /usr/sbin/web', 'ld.so', 'libraries'),
    file('/etc/web/web.conf', '--include web.conf:/etc/web/web.conf', 'conf'),
    ...PLUGINS.map((p) => file(p, 'shared object of web, the app\'s package (a plugin it may dlopen)', `plugin ${p}`, 'libraries')),
    file('/usr/share/web/mime.types', '--include-package web-data', 'text/html html'),
    file('/etc/passwd', 'user database', 'root:x:0:0::/:/bin/sh\n'),
    file('/etc/hosts', 'localhost and own name', '127.0.0.1 localhost\n'),
    file('/usr/lib/python3.11/json/__init__.py', 'Python module loaded by /usr/bin/python3.11 at start-up or when importing what /app/x.py imports', '#', 'libraries'),
  ]);
}

describe('pruneCandidates', () => {
  it('offers plugins, package data and /etc files; never the app, its DT_NEEDED closure and loader, --include files or the init', () => {
    const { candidates, protectedFiles } = pruneCandidates(webRootfs().nodes, '/usr/sbin/web', []);
    const names = candidates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([...PLUGINS, '/usr/share/web/mime.types', '/etc/passwd', '/etc/hosts']));
    expect(names).toHaveLength(PLUGINS.length + 3);
    for (const never of ['/usr/lib/python3.11/json/__init__.py', '/init', '/etc/tinyx/init.conf', '/usr/sbin/web', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/etc/web/web.conf']) {
      expect(names).not.toContain(never);
    }
    expect(protectedFiles).toEqual([]);
    // Grouped by directory, so a strategy can try a whole tree at once.
    expect(candidates.find((c) => c.name === PLUGINS[0])?.menuPath).toEqual(['usr', 'lib', 'web']);
  });

  it('never offers what /init leads to, though the manifest brought it (a traced BusyBox wins over the packager\'s)', () => {
    const nodes: RootfsNode[] = [
      { path: '/bin', kind: 'symlink', mode: 0o777, target: 'usr/bin', reason: 'symlink on the path to /bin/busybox' },
      { path: '/init', kind: 'symlink', mode: 0o777, target: '/bin/busybox', reason: 'the kernel runs /init: BusyBox init', part: 'init' },
      { path: '/usr', kind: 'dir', mode: 0o755, reason: 'parent directory' },
      { path: '/usr/bin', kind: 'dir', mode: 0o755, reason: 'parent directory' },
      { path: '/usr/bin/busybox', kind: 'file', mode: 0o755, reason: 'used at run time (strace): /usr/bin/busybox' },
      { path: '/usr/bin/dash', kind: 'file', mode: 0o755, reason: 'used at run time (strace): /usr/bin/dash' },
    ];
    expect(pruneCandidates(nodes, '/app/status.sh', []).candidates.map((c) => c.name)).toEqual(['/usr/bin/dash']);
  });

  it('--keep-files protects paths, globs and whole directories', () => {
    const { candidates, protectedFiles } = pruneCandidates(webRootfs().nodes, '/usr/sbin/web', ['/usr/lib/web/mod_1?.so', '/usr/share/web', '/etc/*s']);
    expect(protectedFiles.sort()).toEqual([...PLUGINS.slice(10, 20), '/etc/hosts', '/usr/share/web/mime.types'].sort());
    expect(candidates).toHaveLength(PLUGINS.length + 3 - 12);
  });

  it('isKept: * stays within a path component, ** crosses them, a directory keeps what is under it', () => {
    expect(isKept('/usr/lib/a/b.so', ['/usr/lib/*.so'])).toBe(false);
    expect(isKept('/usr/lib/a/b.so', ['/usr/lib/**.so'])).toBe(true);
    expect(isKept('/usr/lib/a/b.so', ['/usr/lib'])).toBe(true);
    expect(isKept('/usr/lib/a/b.so', ['/usr/lib/'])).toBe(true);
    expect(isKept('/usr/libexec/x', ['/usr/lib'])).toBe(false);
    expect(isKept('/etc/passwd', ['/etc/pass?d'])).toBe(true);
  });
});

describe('reduceRootfs against a fake oracle', () => {
  /** Passes when the archive holds every needed file; counts the boots. */
  const oracle = () => {
    const seen: PackedArchive[] = [];
    return {
      seen,
      test: async (packed: PackedArchive) => {
        seen.push(packed);
        const files = filesOf(packed.archive);
        return [...NEEDED].every((p) => files.has(p));
      },
    };
  };

  it('leaves out every candidate the oracle passes without, in far fewer boots than one per candidate', async () => {
    const rootfs = webRootfs();
    const fake = oracle();
    const { omit, report } = await reduceRootfs({
      planned: rootfs, appGuestPath: '/usr/sbin/web', keepFiles: [], prune: true, strip: false, strategy: 'bisect', parallel: 1,
      test: fake.test, info: () => undefined,
    });
    const candidates = PLUGINS.length + 3;
    expect(report.candidates).toBe(candidates);
    expect(report.keptFiles.sort()).toEqual([...NEEDED].sort());
    expect([...omit].sort()).toEqual([...PLUGINS.filter((p) => !NEEDED.has(p)), '/usr/share/web/mime.types', '/etc/hosts'].sort());
    expect(report.pruned.find((p) => p.path === '/etc/hosts')).toEqual({ path: '/etc/hosts', reason: 'localhost and own name', bytes: 20 });
    expect(prunedLine(report)).toBe(`${candidates - NEEDED.size} of ${candidates} candidate files`);
    expect(report.prunedBytes).toBe(report.pruned.reduce((n, p) => n + p.bytes, 0));
    expect(report.evaluations).toBe(fake.seen.length);
    expect(report.evaluations).toBeLessThan(candidates / 2);
    expect(report.skipped).toEqual(['strip: --no-strip']);
    // The result holds what is needed and what was never a candidate, and nothing left out.
    const files = filesOf(packPlanned(rootfs, omit).archive);
    for (const p of [...NEEDED, '/usr/sbin/web', '/etc/web/web.conf', '/init']) expect(files.has(p)).toBe(true);
    for (const p of omit) expect(files.has(p)).toBe(false);
    expect(report.uncompressedBytes.after).toBe(packPlanned(rootfs, omit).archive.length);
    expect(report.uncompressedBytes.after).toBeLessThan(report.uncompressedBytes.before);
  });

  it('one at a time needs a boot per candidate for the same answer (the reference the bisection beats)', async () => {
    const fake = oracle();
    const { report } = await reduceRootfs({
      planned: webRootfs(), appGuestPath: '/usr/sbin/web', keepFiles: [], prune: true, strip: false, strategy: 'one-at-a-time', parallel: 1,
      test: fake.test, info: () => undefined,
    });
    expect(report.keptFiles.sort()).toEqual([...NEEDED].sort());
    expect(report.evaluations).toBeGreaterThanOrEqual(PLUGINS.length + 3);
  });

  it('--no-prune tries nothing; a protected file stays though the oracle passes without it', async () => {
    const none = oracle();
    const skipped = await reduceRootfs({
      planned: webRootfs(), appGuestPath: '/usr/sbin/web', keepFiles: [], prune: false, strip: false, strategy: 'bisect', parallel: 1, test: none.test, info: () => undefined,
    });
    expect(skipped.omit.size).toBe(0);
    expect(none.seen).toHaveLength(0);
    expect(skipped.report.skipped).toEqual(['prune: --no-prune', 'strip: --no-strip']);
    const kept = await reduceRootfs({
      planned: webRootfs(), appGuestPath: '/usr/sbin/web', keepFiles: ['/usr/lib/web'], prune: true, strip: false, strategy: 'bisect', parallel: 1, test: oracle().test, info: () => undefined,
    });
    for (const p of PLUGINS) expect(kept.omit.has(p)).toBe(false);
    expect(kept.report.protectedFiles).toHaveLength(PLUGINS.length);
  });
});

describe('a left-out plugin\'s own libraries (Debian lighttpd\'s real closure)', () => {
  // mod_authn_file.so alone needs libcrypt; lighttpd itself needs libnettle, as mod_auth.so does.
  let rootfs: PlannedArchive;
  let libcrypt: string;
  let libnettle: string;
  const PLUGIN = '/usr/lib/lighttpd/mod_authn_file.so';
  beforeAll(async () => {
    const manifest = await resolveApp('/usr/sbin/lighttpd');
    rootfs = await planArchive({ manifest, init: { appGuestPath: '/usr/sbin/lighttpd', appArgs: [], network: { guestPort: 80 }, kind: 'tinyx' } });
    libcrypt = await realpath('/usr/lib/x86_64-linux-gnu/libcrypt.so.1');
    libnettle = await realpath('/usr/lib/x86_64-linux-gnu/libnettle.so.8');
  });

  it('libcrypt goes with the last plugin that needs it, with its symlink; a library the app needs stays', () => {
    const graph = libraryGraph(rootfs);
    expect(graph.needs.get(PLUGIN)).toEqual(expect.arrayContaining([libcrypt, libnettle]));
    expect(graph.libraries.has(libcrypt)).toBe(true);
    expect(graph.libraries.has(PLUGIN)).toBe(false);
    const out = withDependents(graph, new Set([PLUGIN]));
    expect(out.has(libcrypt)).toBe(true);
    expect(out.has('/usr/lib/x86_64-linux-gnu/libcrypt.so.1')).toBe(true);
    expect(out.has(libnettle)).toBe(false);
    expect([...out].sort()).toEqual([PLUGIN, libcrypt, '/usr/lib/x86_64-linux-gnu/libcrypt.so.1'].sort());
    // Another plugin left out takes nothing the rest of the archive needs.
    expect([...withDependents(graph, new Set(['/usr/lib/lighttpd/mod_auth.so']))]).toEqual(['/usr/lib/lighttpd/mod_auth.so']);
  });

  it('the stage boots without the plugins and their libraries, and keeps libcrypt while a kept plugin needs it', async () => {
    const boots = async (needs: string[]) => reduceRootfs({
      planned: rootfs, appGuestPath: '/usr/sbin/lighttpd', keepFiles: [], prune: true, strip: false, strategy: 'bisect', parallel: 1, info: () => undefined,
      test: async (packed) => {
        const files = filesOf(packed.archive);
        return files.has('/usr/sbin/lighttpd') && needs.every((p) => files.has(p)) && (!files.has(PLUGIN) || files.has(libcrypt));
      },
    });
    const none = await boots([]);
    expect(none.omit.has(PLUGIN)).toBe(true);
    expect(none.omit.has(libcrypt)).toBe(true);
    expect(none.omit.has(libnettle)).toBe(false);
    expect(none.report.pruned.find((p) => p.path === libcrypt)).toEqual({ path: libcrypt, reason: expect.stringMatching(/^DT_NEEDED libcrypt\.so\.1 of .*; needed only by files left out$/), bytes: (await readFile(libcrypt)).length, library: true });
    expect(prunedLine(none.report)).toBe(`${none.report.pruned.length - 1} of ${none.report.candidates} candidate files and 1 library only they needed`);
    expect(none.report.pruned.some((p) => p.path === '/usr/lib/x86_64-linux-gnu/libcrypt.so.1')).toBe(false); // a symlink: not a file
    expect(filesOf(packPlanned(rootfs, none.omit).archive).has(libcrypt)).toBe(false);
    const authn = await boots([PLUGIN]);
    expect(authn.omit.has(PLUGIN)).toBe(false);
    expect(authn.omit.has(libcrypt)).toBe(false);
  });
});

describe('stripping (cc and binutils\' strip, for real)', () => {
  let dir: string;
  let elf: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-strip-'));
    await writeFile(path.join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
    await execa('cc', ['-g', '-O1', '-o', path.join(dir, 'hello'), path.join(dir, 'hello.c')]);
    elf = await readFile(path.join(dir, 'hello'));
  });

  it('finds the symbol table and DWARF of a cc -g binary; its stripped copy has neither, is smaller and still runs', async () => {
    expect(strippableSections(elf)).toEqual(expect.arrayContaining(['.symtab', '.strtab', '.debug_info']));
    expect(strippableSections(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
    const copy = await strippedCopy(elf);
    expect(copy.length).toBeLessThan(elf.length);
    expect(strippableSections(copy)).toEqual([]);
    await writeFile(path.join(dir, 'stripped'), copy);
    await chmod(path.join(dir, 'stripped'), 0o755);
    expect((await execa(path.join(dir, 'stripped'))).stdout).toBe('hello');
  });

  it('strips each ELF file the oracle passes with stripped, keeps the symbols of one it fails without', async () => {
    const rootfs = planned([
      file('/usr/sbin/web', 'app', elf, 'app'),
      file('/usr/lib/web/needs-symbols', 'shared object of web, the app\'s package (a plugin it may dlopen)', elf, 'libraries'),
      file('/etc/hosts', 'localhost and own name', '127.0.0.1 localhost\n'),
    ]);
    const stripped = await strippedCopy(elf);
    let boots = 0;
    const { replace, omit, report } = await reduceRootfs({
      planned: rootfs, appGuestPath: '/usr/sbin/web', keepFiles: ['/etc'], prune: true, strip: true, strategy: 'bisect', parallel: 1, info: () => undefined,
      test: async (packed) => {
        boots++;
        return filesOf(packed.archive).get('/usr/lib/web/needs-symbols')?.equals(elf) ?? false;
      },
    });
    // The plugin is needed (the oracle reads it), so pruning keeps it; stripping keeps its symbols.
    expect(omit.size).toBe(0);
    expect([...replace.keys()]).toEqual(['/usr/sbin/web']);
    expect(report.stripped).toEqual([{ path: '/usr/sbin/web', bytes: elf.length, strippedBytes: stripped.length }]);
    expect(report.notStripped).toEqual(['/usr/lib/web/needs-symbols']);
    expect(report.strippedSavedBytes).toBe(elf.length - stripped.length);
    expect(report.evaluations).toBe(boots);
    expect(filesOf(packPlanned(rootfs, omit, replace).archive).get('/usr/sbin/web')!.equals(Buffer.from(stripped))).toBe(true);
  });
});
