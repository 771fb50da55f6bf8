// An image's configuration blob (OCI config.md, Docker's image JSON): its platform, its layers' diff IDs, and the run it asks for.
import { checkDigest } from './digest.js';
import { malformed, parseJson } from './files.js';

/** The `config` object: what `docker run` does by default. Fields tinyx does not read stay as they are. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, unknown>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Volumes?: Record<string, unknown>;
  StopSignal?: string;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  [field: string]: unknown;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  /** Digests of the uncompressed layer tars, lowest layer first. */
  diffIds: string[];
  config: ContainerConfig;
}

const STRING_LISTS = ['Env', 'Entrypoint', 'Cmd', 'OnBuild'] as const;
const STRINGS = ['User', 'WorkingDir', 'StopSignal'] as const;

export function parseConfig(bytes: Buffer, label: string): ImageConfig {
  const what = 'the image config';
  const doc = parseJson(bytes, what, label);
  const rootfs = doc.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (rootfs?.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw malformed(what, label, 'has no rootfs of type "layers" with diff_ids');
  const diffIds = rootfs.diff_ids.map((d, i) => checkDigest(d, `${what}'s rootfs.diff_ids[${i}] in ${label}`));
  const config = (doc.config ?? {}) as ContainerConfig;
  if (typeof config !== 'object' || Array.isArray(config)) throw malformed(what, label, 'has a "config" that is not an object');
  for (const field of STRING_LISTS) {
    const value = config[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.every((s) => typeof s === 'string'))) {
      throw malformed(what, label, `has config.${field} that is not a list of strings`);
    }
  }
  for (const field of STRINGS) {
    if (config[field] !== undefined && typeof config[field] !== 'string') throw malformed(what, label, `has config.${field} that is not a string`);
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { architecture: text(doc.architecture), os: text(doc.os), variant: text(doc.variant), diffIds, config };
}
