// Public surface of src/deps: the manifest types and resolveApp.
export { resolveApp } from './resolve.js';
export { GUEST_PATH } from './interpreters.js';
export type { ResolveOptions } from './resolve.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { parseElf, isElf } from './elf.js';
export type { ElfInfo } from './elf.js';
export type { StraceOptions } from './strace.js';
