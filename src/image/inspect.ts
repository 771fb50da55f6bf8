// Reads what an image is without unpacking it: its format, the platform taken, its config and its layers, every cheap check done.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TinyxError } from '../errors.js';
import { archiveFiles } from './archive.js';
import { isDockerArchive, readDockerArchive } from './docker.js';
import { directoryFiles, type ImageFiles } from './files.js';
import type { ImageRecipe } from './layers.js';
import { isOciLayout, readOciImage } from './oci.js';
import { platformMatches, platformName, wantedPlatform } from './platform.js';

export type ImageFormat = 'oci-layout' | 'oci-archive' | 'docker-archive';

export interface InspectOptions {
  /** The architecture to take from a multi-platform image: "amd64" (default), "arm64", "arm/v7". */
  arch?: string;
  /** Which image of an archive or layout holding several: a tag ("1.0", "app:1.0"). */
  tag?: string;
  /** Where `-` (an archive on standard input) is spooled: <cacheRoot>/images/incoming. */
  cacheRoot: string;
  stdin?: Readable;
}

export interface ImageSource extends ImageRecipe {
  files: ImageFiles;
  format: ImageFormat;
  /** "linux/amd64". */
  platform: string;
  /** Removes the spooled copy of standard input, if any; the source cannot be read after. */
  close(): Promise<void>;
}

/**
 * `ref`: an OCI layout directory, a tar archive (docker save, podman save, an OCI archive), or "-"
 * for an archive on standard input (spooled to a file first: archives are read by byte ranges).
 * Checks the manifests' and config's digests, the media types, the platform, and that every layer
 * blob is there at its size; no layer is read.
 */
export async function inspectImage(ref: string, options: InspectOptions): Promise<ImageSource> {
  const spooled = ref === '-' ? await spoolStdin(options.stdin ?? process.stdin, options.cacheRoot) : undefined;
  const close = async () => {
    if (spooled) await rm(spooled, { force: true });
  };
  try {
    const label = spooled ? 'the archive on standard input' : ref;
    const info = await stat(spooled ?? ref).catch(() => undefined);
    if (!info) {
      throw new TinyxError('TINYX_IMAGE_NOT_FOUND', `No image at ${ref}.`, {
        advice: 'Pass an archive from `docker save -o app.tar IMAGE` or `podman save`, an OCI archive or layout (skopeo copy), or - to read one from standard input.',
      });
    }
    const files = info.isDirectory() ? directoryFiles(ref) : await archiveFiles(spooled ?? ref, label);
    const wanted = wantedPlatform(options.arch);
    const oci = await isOciLayout(files);
    if (!oci && !(await isDockerArchive(files))) {
      throw new TinyxError('TINYX_IMAGE_INVALID', `${label} is not a container image: it has neither index.json (OCI) nor manifest.json (docker save).`, {
        advice: 'Pass an archive from `docker save -o app.tar IMAGE` or `podman save`, an OCI archive or layout (skopeo copy).',
      });
    }
    const recipe = oci ? await readOciImage(files, wanted, options.tag) : await readDockerArchive(files, options.tag);
    const { architecture, os, variant } = recipe.config;
    const platform = platformName({ os, architecture: architecture ?? wanted.architecture, variant });
    if (!platformMatches({ os, architecture: architecture ?? wanted.architecture, variant: variant ?? wanted.variant }, wanted)) {
      throw new TinyxError('TINYX_IMAGE_PLATFORM_NOT_FOUND', `${label} is an image for ${platform}, not ${platformName({ os: 'linux', ...wanted })}.`, {
        advice: 'Pull or build the image for this platform (docker pull --platform linux/amd64), or name its architecture.',
      });
    }
    const format: ImageFormat = !oci ? 'docker-archive' : files.kind === 'directory' ? 'oci-layout' : 'oci-archive';
    return { ...recipe, files, format, platform, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Standard input, copied whole into a file of its own under the cache. */
async function spoolStdin(input: Readable, cacheRoot: string): Promise<string> {
  const dir = path.join(cacheRoot, 'images', 'incoming');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `stdin-${process.pid}-${randomBytes(4).toString('hex')}.tar`);
  try {
    await pipeline(input, createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return file;
}
