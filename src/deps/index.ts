// Public surface of src/deps: the manifest types, resolveApp (an app on the host), resolveImageApp (a program in an unpacked image) and straceInImage (its --trace run).
export { resolveApp } from './resolve.js';
export { resolveImageApp } from './resolve-image.js';
export { wholeImageManifest } from './whole-image.js';
export type { ImageResolveOptions, ImageRoot } from './resolve-image.js';
export { GUEST_PATH } from './interpreters.js';
export type { ResolveOptions } from './resolve.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { parseElf, isElf } from './elf.js';
export type { ElfInfo } from './elf.js';
export type { StraceOptions } from './strace.js';
export { straceInImage } from './image-trace.js';
export type { ImageTraceOptions } from './image-trace.js';
export type { ChrootRun } from './chroot-run.js';
