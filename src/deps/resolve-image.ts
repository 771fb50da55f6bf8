// resolveImageApp: from an unpacked container image and its default run to the manifest, every file found and read inside the image.
import { TinyxError } from '../errors.js';
import type { DefaultRun } from '../image/run-config.js';
import type { Tree } from '../image/tree.js';
import { parseApp } from './appcheck.js';
import { addElfClosure } from './closure.js';
import { addArgumentFile, addInclude, addTraced, addTracedDir, applyExcludes } from './extras.js';
import { fileOwner, type FsView } from './fsview.js';
import { imageFs } from './imagefs.js';
import { imageDpkg, type ImageDpkg } from './imagedpkg.js';
import { straceInImage, type ImageTraceOptions } from './image-trace.js';
import type { TracedCalls } from './strace-calls.js';
import type { ChrootRun } from './chroot-run.js';
import { addInterpreters } from './interpreters.js';
import { parseLdCache, type LdCache } from './ldcache.js';
import { ManifestBuilder, type Manifest } from './manifest.js';
import { addOwnPackageExtras, addPackage } from './pkgfiles.js';
import type { ResolveOptions } from './resolve.js';
import { dropSetuid } from './setuid.js';
import { parseShebang } from './shebang.js';

/** The unpacked image: its root on disk (UnpackedImage.rootfs) and its metadata index (ImageFacts.tree). */
export interface ImageRoot {
  rootfs: string;
  tree: Tree;
}

/** As for an app on the host, every path meaning a path in the image (--include IMAGE_PATH[:GUEST], packages of the image's dpkg). */
export type ImageResolveOptions = Pick<ResolveOptions, 'include' | 'exclude' | 'includePackages' | 'noPackageExtras' | 'keepSetuid'> & {
  /** Also run `trace.run` in a private root of the image under strace and add what it used, found in the image (see image-trace.ts). */
  trace?: ImageTraceOptions & { run: ChrootRun };
};

/**
 * The manifest of the program `run.argv[0]` of the image: the program at its image path, its
 * loader and libraries (the image's ld.so.cache, RUNPATH, $ORIGIN and default directories) or
 * its #! interpreters, each symlink met on the way, all looked up in the image (symlinks from its
 * own root; one climbing out of it is refused). Guest paths are the image's, host paths the files
 * of the unpacked tree, modes and owners the image's (setuid and setgid cleared unless
 * `keepSetuid`); files are attributed to the image's own Debian packages, when it has dpkg.
 */
export async function resolveImageApp(image: ImageRoot, run: Pick<DefaultRun, 'argv'>, options: ImageResolveOptions = {}): Promise<Manifest> {
  const fs = imageFs(image.rootfs, image.tree);
  const cache = await readImageLdCache(fs);
  const db = await imageDpkg(fs);
  const builder = new ManifestBuilder();
  const app = await addImageApp(builder, fs, run.argv[0] ?? '', cache, db, options);
  for (const arg of run.argv.slice(1)) await addArgumentFile(builder, arg, cache, fs);
  for (const spec of options.include ?? []) await addInclude(builder, spec, cache, undefined, fs);
  for (const pkg of options.includePackages ?? []) await addPackage(builder, pkg, cache, fs, db);
  let calls: TracedCalls | undefined;
  if (options.trace) {
    const { files, writtenDirs, ...traced } = await straceInImage(image, options.trace.run, options.trace);
    // A path the image lacks (the run created it) is left out; one that climbs out of it is refused, as everywhere.
    for (const file of files) if (file !== app.guestPath) await addTraced(builder, file, cache, fs);
    for (const dir of writtenDirs) await addTracedDir(builder, dir, fs);
    calls = traced;
  }
  const manifest = await attribute(applyExcludes({ ...builder.build(app), ...(calls ? { traced: calls } : {}) }, options.exclude ?? []), fs, db);
  return options.keepSetuid ? manifest : dropSetuid(manifest);
}

async function addImageApp(builder: ManifestBuilder, fs: FsView, program: string, cache: LdCache | undefined, db: ImageDpkg, options: ImageResolveOptions): Promise<Manifest['app']> {
  const walk = program.startsWith('/') ? await fs.walk(program) : undefined;
  const info = walk && (await fs.node(walk.realPath));
  if (!walk || !info) {
    throw new TinyxError('TINYX_APP_NOT_FOUND', `The image has no program ${program}`, { advice: 'Check the image\'s Entrypoint and Cmd, or name a program that is in the image.' });
  }
  if (info.kind !== 'file' || (info.mode & 0o111) === 0) {
    throw new TinyxError('TINYX_APP_NOT_EXECUTABLE', `${program} in the image is not an executable file`, { advice: 'Name an executable file of the image.' });
  }
  const bytes = await fs.readFile(walk.realPath);
  const script = parseShebang(bytes) !== undefined;
  const elf = script ? undefined : parseApp(bytes, program);
  builder.addLinks(walk.links, `symlink on the path to the app ${program}`);
  builder.addFile(walk.realPath, fs.hostPath(walk.realPath), info.mode, script ? 'app (script)' : 'app', 'app', fileOwner(fs, info));
  if (!elf) {
    await addInterpreters(builder, bytes, program, cache, 1, fs);
  } else {
    const executable = { path: walk.realPath, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
    await addElfClosure(builder, { executable, label: program, cache, fs });
    if (!options.noPackageExtras) await addOwnPackageExtras(builder, walk.realPath, cache, fs, db);
  }
  return { hostPath: fs.hostPath(walk.realPath), guestPath: program };
}

/** The image's /etc/ld.so.cache; undefined when it has none (musl, or a glibc image where ldconfig never ran). */
async function readImageLdCache(fs: FsView): Promise<LdCache | undefined> {
  const walk = await fs.walk('/etc/ld.so.cache');
  if (!walk || (await fs.node(walk.realPath))?.kind !== 'file') return undefined;
  try {
    return parseLdCache(await fs.readFile(walk.realPath));
  } catch (cause) {
    throw new TinyxError('TINYX_IMAGE_INVALID', `The image's /etc/ld.so.cache is not a glibc ld.so.cache: ${(cause as Error).message}`, {
      advice: 'Run ldconfig in the image (or delete its /etc/ld.so.cache) and save it again.', cause,
    });
  }
}

/** Each file, and each symlink to a file, with the image packages that list it (dpkg -S's "a, b"). */
async function attribute(manifest: Manifest, fs: FsView, db: ImageDpkg): Promise<Manifest> {
  const toDirectory = async (p: string): Promise<boolean> => {
    const walk = await fs.walk(p).catch(() => undefined);
    return walk !== undefined && (await fs.node(walk.realPath))?.kind === 'dir';
  };
  const entries = [];
  for (const e of manifest.entries) {
    // A symlink to a directory (merged-usr's /lib -> usr/lib) is a directory to dpkg, owned by dozens.
    const owned = e.kind === 'file' || (e.kind === 'symlink' && !(await toDirectory(e.guestPath)));
    const pkgs = owned ? await db.owners(e.guestPath) : [];
    entries.push(pkgs.length > 0 ? { ...e, package: pkgs.join(', ') } : e);
  }
  return { ...manifest, entries };
}
