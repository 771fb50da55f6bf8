// Builds, offline, an image of one program and what it runs on (its loader and libraries), as tinyx's own closure finds them on this host.
import { chmod, chown, copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { addTreeLayer, configure, newLayout } from './layout.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const { resolveApp } = await import(path.join(dist, 'deps/index.js'));

/**
 * The manifest of `app` (a host executable) placed under `guestDir`: the program, its ELF
 * interpreter and every library it needs, at the paths its loader looks for them.
 * @param {string} app
 * @param {string} guestDir
 */
export async function appManifest(app, guestDir) {
  return resolveApp(app, { guestDir });
}

/**
 * An OCI layout at `dir`/layout, tag "app", of one layer holding the entries of `manifest` (from
 * appManifest) and nothing else, with `config` (umoci's config keys, see configure).
 * @param {string} dir
 * @param {{ entries: Array<{ guestPath: string, kind: string, mode: number, hostPath?: string, target?: string, major?: number, minor?: number, uid?: number, gid?: number }> }} manifest
 * @param {Record<string, string[] | undefined>} config
 * @returns {Promise<string>} the layout's path
 */
export async function buildAppImage(dir, manifest, config) {
  const layout = await newLayout(dir, 'app');
  await addTreeLayer(layout, 'app', path.join(dir, 'bundle'), async (root) => {
    for (const entry of manifest.entries) await writeEntry(root, entry);
  });
  await configure(layout, 'app', config);
  return layout;
}

/** One manifest entry written at its guest path under `root` (whose parents come before it in the manifest). */
async function writeEntry(root, entry) {
  const at = path.join(root, entry.guestPath);
  if (entry.kind === 'symlink') return symlink(entry.target, at);
  if (entry.kind === 'dir') await mkdir(at, { recursive: true });
  else if (entry.kind === 'file') await copyFile(entry.hostPath, at);
  else await execa('mknod', [at, 'c', String(entry.major), String(entry.minor)]);
  await chmod(at, entry.mode);
  if (entry.uid !== undefined || entry.gid !== undefined) await chown(at, entry.uid ?? 0, entry.gid ?? 0);
}
