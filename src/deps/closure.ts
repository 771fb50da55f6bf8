// Transitive ELF closure: PT_INTERP and DT_NEEDED resolved the way glibc's loader does, into a manifest.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { isElf, parseElf, type ElfInfo } from './elf.js';
import { fileOwner, hostFs, type FsView } from './fsview.js';
import { readLdSoConfDirs } from './ldconf.js';
import { lookupLdCache, type LdCache } from './ldcache.js';
import type { ManifestBuilder } from './manifest.js';
import { isMuslLoader, isMuslReserved } from './musl.js';
import { defaultDirs, searchCandidates, type SearchObject } from './search.js';

export interface LoadedObject extends SearchObject {
  /** Real host path (all symlinks resolved); guest path too, except for the app itself. */
  realPath: string;
  elf: ElfInfo;
}

export interface ClosureInput {
  /** The executable as the loader sees it ($ORIGIN base): its guest-visible path resolution is done by the caller. */
  executable: LoadedObject;
  /** Label used in reasons, e.g. the app's guest path. */
  label: string;
  cache?: LdCache;
  /** ld.so.conf consulted to explain a missing library (default /etc/ld.so.conf). */
  ldSoConf?: string;
  /** Where every path is looked up and read (default: the host). */
  fs?: FsView;
}

/** Add the loader and every library `executable` needs (transitively) to `builder`. */
export async function addElfClosure(builder: ManifestBuilder, input: ClosureInput): Promise<void> {
  const { executable } = input;
  const fs = input.fs ?? hostFs;
  const byName = new Map<string, LoadedObject>();
  const seen = new Set<string>([executable.realPath]);
  const queue: Array<{ object: LoadedObject; label: string }> = [{ object: executable, label: input.label }];

  if (executable.elf.interp) {
    const interp = await loadObject(fs, builder, executable.elf.interp, `ELF interpreter (PT_INTERP) of ${input.label}`, executable);
    if (!interp) {
      throw new TinyxError('TINYX_LIBRARY_NOT_FOUND', `The ELF interpreter ${executable.elf.interp} of ${input.label} does not exist ${fs.where}`, {
        advice: 'Install the C library the app was built for, or build the app for this system.',
      });
    }
    byName.set(executable.elf.interp, interp);
    seen.add(interp.realPath);
    if (interp.elf.soname) byName.set(interp.elf.soname, interp);
  }

  const musl = executable.elf.interp !== undefined && isMuslLoader(executable.elf.interp);
  while (queue.length > 0) {
    const { object, label } = queue.shift() as { object: LoadedObject; label: string };
    for (const name of object.elf.needed) {
      if (byName.has(name) || (musl && isMuslReserved(name))) continue;
      const cached = input.cache ? lookupLdCache(input.cache, name) : [];
      const candidates = searchCandidates(name, { requester: object, executable, cached });
      let found: LoadedObject | undefined;
      for (const candidate of candidates) {
        found = await loadObject(fs, builder, candidate.path, `DT_NEEDED ${name} of ${label} (found via ${candidate.via})`, object);
        if (!found) continue;
        if (candidate.via === 'ld.so.cache' && !defaultDirs(object.bits, object.machine).includes(path.dirname(candidate.path))) {
          const flags = input.cache?.byName.get(name)?.find((e) => e.path === candidate.path)?.flags;
          if (flags !== undefined) builder.addCacheRecord({ name, path: candidate.path, flags });
        }
        break;
      }
      if (!found) {
        throw new TinyxError('TINYX_LIBRARY_NOT_FOUND', `Library ${name} needed by ${label} was not found (tried ${candidates.map((c) => c.path).join(', ')})`, {
          advice: await notFoundAdvice(fs, name, input.ldSoConf),
        });
      }
      byName.set(name, found);
      if (found.elf.soname && !byName.has(found.elf.soname)) byName.set(found.elf.soname, found);
      if (!seen.has(found.realPath)) {
        seen.add(found.realPath);
        queue.push({ object: found, label: found.path });
      }
    }
  }
}

/**
 * Try to load `candidate` for `requester`: it must exist and be an ELF of the same class and
 * machine (the loader skips others). On success the file and the symlinks on its path go into
 * the manifest.
 */
async function loadObject(fs: FsView, builder: ManifestBuilder, candidate: string, reason: string, requester: SearchObject): Promise<LoadedObject | undefined> {
  const walk = await fs.walk(candidate);
  if (!walk) return undefined;
  const info = await fs.node(walk.realPath);
  if (info?.kind !== 'file') return undefined;
  const bytes = await fs.readFile(walk.realPath);
  if (!isElf(bytes)) return undefined;
  let elf: ElfInfo;
  try {
    elf = parseElf(bytes);
  } catch {
    return undefined;
  }
  if (elf.bits !== requester.bits || elf.machine !== requester.machine) return undefined;
  builder.addLinks(walk.links, `symlink on the path to ${candidate}`);
  builder.addFile(walk.realPath, fs.hostPath(walk.realPath), info.mode, reason, 'libraries', fileOwner(fs, info));
  return { path: candidate, realPath: walk.realPath, bits: elf.bits, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath, elf };
}

/** A library in an ld.so.conf directory that the cache does not list means ldconfig was not run. */
async function notFoundAdvice(fs: FsView, name: string, ldSoConf = '/etc/ld.so.conf'): Promise<string> {
  for (const dir of await readLdSoConfDirs(ldSoConf, fs)) {
    const candidate = path.join(dir, name);
    if (await fs.walk(candidate)) {
      return `${candidate} exists and ${dir} is listed in ${ldSoConf}, but ld.so.cache does not know it: run \`ldconfig\` (the app would not start ${fs.where} either).`;
    }
  }
  return `Install the package that provides it (\`apt-file search ${name}\`), or fix the RUNPATH / ld.so.conf so the loader finds it.`;
}
