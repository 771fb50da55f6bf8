// Which manifest of an image index to run: the one for linux on the wanted architecture (amd64 unless named), or the one tag named.
import { TinyxError } from '../errors.js';
import type { Descriptor, Platform } from './manifest.js';

export interface WantedPlatform {
  architecture: string;
  variant?: string;
}

export interface ManifestChoice {
  descriptor: Descriptor;
  /** Said when the index offered several platforms: which ones, and which was taken. */
  note?: string;
}

const ALIASES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armhf: 'arm', i686: '386', i386: '386' };
const REF_NAME = 'org.opencontainers.image.ref.name';
/** The full name that containerd and `docker save` (25 and later) add beside the short ref name. */
const FULL_NAME = 'io.containerd.image.name';

/** Whether `name` ("docker.io/library/app:1") is what `tag` names: all of it, or its end after "/" or ":" ("app:1", "1"). */
export function tagMatches(name: string | undefined, tag: string): boolean {
  return name !== undefined && (name === tag || name.endsWith(`/${tag}`) || name.endsWith(`:${tag}`));
}

/** "amd64", "arm64", "arm/v7", or a kernel-style name ("x86_64", "aarch64"); amd64 when none is given. */
export function wantedPlatform(arch = 'amd64'): WantedPlatform {
  const [name = '', variant] = arch.split('/');
  const architecture = ALIASES[name] ?? name;
  return variant ? { architecture, variant } : { architecture };
}

export function platformName(p: Partial<Platform>): string {
  return [p.os ?? 'linux', p.architecture ?? '?', p.variant].filter(Boolean).join('/');
}

export function platformMatches(p: Partial<Platform>, wanted: WantedPlatform): boolean {
  return (p.os ?? 'linux') === 'linux' && p.architecture === wanted.architecture && (!wanted.variant || p.variant === wanted.variant);
}

/**
 * Pure: the entry of `entries` (an index's manifests) to follow. `tag` keeps the entries named so
 * (an OCI layout or a docker 25 archive holding several tags). Entries with a platform are chosen by it; attestation
 * entries (platform unknown/unknown, from buildx) are never runnable and are skipped.
 */
export function chooseManifest(entries: Descriptor[], wanted: WantedPlatform, label: string, tag?: string): ManifestChoice {
  const named = tag === undefined ? entries : entries.filter((e) => tagMatches(e.annotations[REF_NAME], tag) || tagMatches(e.annotations[FULL_NAME], tag));
  if (named.length === 0) {
    const tags = entries.map((e) => e.annotations[REF_NAME]).filter(Boolean);
    throw new TinyxError('TINYX_IMAGE_NOT_FOUND', `${label} has no image tagged ${tag}${tags.length ? ` (it has: ${tags.join(', ')})` : ''}.`, {
      advice: 'Name one of the tags it holds, or leave the tag out when it holds one image.',
    });
  }
  // Several tags of one manifest are one image.
  const runnable = named.filter((e, i) => e.platform?.os !== 'unknown' && named.findIndex((o) => o.digest === e.digest) === i);
  const withPlatform = runnable.filter((e) => e.platform);
  if (withPlatform.length === 0) {
    if (runnable.length === 1) return { descriptor: runnable[0]! };
    const tags = runnable.map((e) => e.annotations[REF_NAME] ?? e.digest);
    throw new TinyxError('TINYX_USAGE', `${label} holds ${runnable.length} images (${tags.join(', ')}); tinyx runs one.`, {
      advice: 'Name the tag to run.',
    });
  }
  const offered = withPlatform.map((e) => platformName(e.platform!));
  const chosen = withPlatform.find((e) => platformMatches(e.platform!, wanted));
  if (!chosen) {
    throw new TinyxError('TINYX_IMAGE_PLATFORM_NOT_FOUND', `${label} has no image for ${platformName({ ...wanted, os: 'linux' })}; it has ${offered.join(', ')}.`, {
      advice: 'Name an architecture it has (and a kernel for it), or pull the image for this platform.',
    });
  }
  const note = offered.length > 1 ? `${label} holds ${offered.join(', ')}: took ${platformName(chosen.platform!)}` : undefined;
  return { descriptor: chosen, ...(note ? { note } : {}) };
}
