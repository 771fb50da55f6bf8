// An image's own dpkg database (var/lib/dpkg/status and info/*.list) read from its tree: which package installed what, with no dpkg run.
import { TinyxError } from '../errors.js';
import { mergedUsrAlias } from './dpkg.js';
import type { FsView } from './fsview.js';
import type { PackageDb } from './pkgfiles.js';

export interface StatusPackage {
  name: string;
  /** How dpkg names it: "libc6:amd64" for a Multi-Arch: same package (its list file is named so), else the name. */
  id: string;
  version?: string;
}

/** Pure: the installed packages ("Status: install ok installed") of a dpkg status file. */
export function parseDpkgStatus(text: string): StatusPackage[] {
  const out: StatusPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    if (!name || !/\binstalled$/.test(field('Status') ?? '')) continue;
    const arch = field('Architecture');
    const id = field('Multi-Arch') === 'same' && arch ? `${name}:${arch}` : name;
    const version = field('Version');
    out.push({ name, id, ...(version ? { version } : {}) });
  }
  return out;
}

/** A package database of the image seen through `fs`; an image without dpkg has no packages (and no error). */
export interface ImageDpkg extends PackageDb {
  packages: StatusPackage[];
  /** Every package that lists `file` (either merged-usr spelling), as dpkg -S names them. */
  owners(file: string): Promise<string[]>;
}

export async function imageDpkg(fs: FsView): Promise<ImageDpkg> {
  const packages = parseDpkgStatus((await readText(fs, '/var/lib/dpkg/status')) ?? '');
  const lists = new Map<string, string[]>();
  const filesOf = async (pkg: StatusPackage): Promise<string[]> => {
    let files = lists.get(pkg.id);
    if (!files) {
      const text = (await readText(fs, `/var/lib/dpkg/info/${pkg.id}.list`)) ?? (await readText(fs, `/var/lib/dpkg/info/${pkg.name}.list`)) ?? '';
      files = text.split('\n').filter((p) => p.startsWith('/'));
      lists.set(pkg.id, files);
    }
    return files;
  };
  let index: Map<string, string[]> | undefined;
  const ownersOf = async (): Promise<Map<string, string[]>> => {
    if (index) return index;
    index = new Map();
    for (const pkg of packages) for (const p of await filesOf(pkg)) index.set(p, [...(index.get(p) ?? []), pkg.id]);
    return index;
  };
  const owners = async (file: string): Promise<string[]> => {
    const all = await ownersOf();
    const alias = mergedUsrAlias(file);
    return all.get(file) ?? (alias ? all.get(alias) : undefined) ?? [];
  };
  return {
    packages,
    owners,
    ownerOf: async (file) => (await owners(file))[0],
    async filesOf(name) {
      const pkg = packages.find((p) => p.id === name || p.name === name);
      if (!pkg) {
        throw new TinyxError('TINYX_PACKAGE_NOT_FOUND', `Debian package ${name} is not installed in the image (its var/lib/dpkg/status does not list it)`, {
          advice: 'Check the name against the image\'s packages (dpkg -l inside it), or install it in the image.',
        });
      }
      return filesOf(pkg);
    },
  };
}

async function readText(fs: FsView, p: string): Promise<string | undefined> {
  const walk = await fs.walk(p).catch(() => undefined);
  if (!walk || (await fs.node(walk.realPath))?.kind !== 'file') return undefined;
  return (await fs.readFile(walk.realPath)).toString('utf8');
}
