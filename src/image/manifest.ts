// The JSON documents that lead to an image's layers: descriptors, image indexes and image manifests, checked for shape.
import { checkDigest } from './digest.js';
import { malformed, parseJson } from './files.js';
import { checkMediaType, INDEX_TYPES, MANIFEST_TYPES } from './media.js';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

/** A reference to a blob by content, as the OCI image spec's descriptor.md defines it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations: Record<string, string>;
}

export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseDescriptor(value: unknown, where: string, label: string): Descriptor {
  if (!isObject(value)) throw malformed(where, label, 'is not a descriptor object');
  const { mediaType, size, platform, annotations } = value;
  if (typeof mediaType !== 'string') throw malformed(where, label, 'has no mediaType');
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw malformed(where, label, `has size ${JSON.stringify(size)}, not a byte count`);
  const digest = checkDigest(value.digest, `${where} in ${label}`);
  const descriptor: Descriptor = { mediaType, digest, size: size as number, annotations: {} };
  if (isObject(annotations)) {
    for (const [k, v] of Object.entries(annotations)) if (typeof v === 'string') descriptor.annotations[k] = v;
  }
  if (isObject(platform)) {
    if (typeof platform.architecture !== 'string' || typeof platform.os !== 'string') throw malformed(where, label, 'has a platform without architecture and os');
    descriptor.platform = { architecture: platform.architecture, os: platform.os, ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}) };
  }
  return descriptor;
}

function checkSchema(doc: Record<string, unknown>, what: string, label: string): void {
  if (doc.schemaVersion !== 2) throw malformed(what, label, `has schemaVersion ${JSON.stringify(doc.schemaVersion)}, not 2`);
}

/** The entries of an image index (index.json, or a multi-platform index blob). */
export function parseIndex(bytes: Buffer, what: string, label: string): Descriptor[] {
  const doc = parseJson(bytes, what, label);
  checkSchema(doc, what, label);
  if (doc.mediaType !== undefined) checkMediaType(String(doc.mediaType), INDEX_TYPES, what);
  if (!Array.isArray(doc.manifests)) throw malformed(what, label, 'has no "manifests" list');
  return doc.manifests.map((m, i) => parseDescriptor(m, `${what}'s manifests[${i}]`, label));
}

export function parseManifest(bytes: Buffer, what: string, label: string): ImageManifest {
  const doc = parseJson(bytes, what, label);
  checkSchema(doc, what, label);
  if (doc.mediaType !== undefined) checkMediaType(String(doc.mediaType), MANIFEST_TYPES, what);
  if (!Array.isArray(doc.layers)) throw malformed(what, label, 'has no "layers" list');
  return {
    config: parseDescriptor(doc.config, `${what}'s config`, label),
    layers: doc.layers.map((l, i) => parseDescriptor(l, `${what}'s layers[${i}]`, label)),
  };
}
