// Builds container images offline with the real tools: umoci writes OCI layouts layer by layer, skopeo converts them to archives.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A new OCI layout at `dir`/layout holding an empty image `tag` (no layer, no config), as
 * `FROM scratch` starts. Layers are added with addTreeLayer, the config set with configure.
 * @param {string} dir
 * @param {string} tag
 * @returns {Promise<string>} the layout's path
 */
export async function newLayout(dir, tag) {
  const layout = path.join(dir, 'layout');
  await execa('umoci', ['init', '--layout', layout]);
  await execa('umoci', ['new', '--image', `${layout}:${tag}`]);
  return layout;
}

/**
 * Adds one layer to `layout`:`tag`: the image is unpacked into `bundle`, `edit` changes its root
 * (writes, deletes: umoci repack records deletions as whiteouts), and the difference is the layer.
 * @param {string} layout
 * @param {string} tag
 * @param {string} bundle a directory that does not exist yet; removed after
 * @param {(root: string) => Promise<void>} edit
 */
export async function addTreeLayer(layout, tag, bundle, edit) {
  await execa('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
  await edit(path.join(bundle, 'rootfs'));
  await execa('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  await rm(bundle, { recursive: true });
}

/**
 * Sets the config of `layout`:`tag` (keys are umoci's `--config.KEY` names: entrypoint, cmd, user,
 * workingdir, exposedports, env, volume, stopsignal; each value a list), then drops unreferenced blobs.
 * @param {string} layout
 * @param {string} tag
 * @param {Record<string, string[] | undefined>} config
 */
export async function configure(layout, tag, config) {
  const flags = Object.entries(config).flatMap(([key, values]) => (values ?? []).map((v) => `--config.${key}=${v}`));
  await execa('umoci', ['config', '--image', `${layout}:${tag}`, ...flags]);
  await execa('umoci', ['gc', '--layout', layout]);
}

/**
 * `layout`:`tag` written by skopeo as `file`: a `docker save` archive (named `name`) or an OCI archive (tagged `tag`).
 * @param {string} layout
 * @param {string} tag
 * @param {{ format: 'docker-archive' | 'oci-archive', file: string, name?: string, compress?: string }} out
 */
export async function exportArchive(layout, tag, out) {
  const dest = out.format === 'docker-archive' ? `docker-archive:${out.file}:${out.name ?? `${tag}:latest`}` : `oci-archive:${out.file}:${tag}`;
  const compress = out.compress ? ['--dest-compress', '--dest-compress-format', out.compress] : [];
  await execa('skopeo', ['copy', '-q', ...compress, `oci:${layout}:${tag}`, dest]);
}
