// Public surface of src/image: container images (docker save, OCI archive and layout) as unpacked trees and default runs.
export { openImage, imageFacts, openImageRun } from './open.js';
export type { OpenedImage, OpenImageOptions } from './open.js';
export { inspectImage } from './inspect.js';
export type { ImageFormat, ImageSource, InspectOptions } from './inspect.js';
export { unpackImage } from './unpack.js';
export type { ImageSizes, UnpackedImage } from './unpack.js';
export { defaultRun, DEFAULT_PATH } from './run-config.js';
export type { DefaultRun, ExposedPort, ImageFacts, RunOverrides } from './run-config.js';
export { readTree, Tree } from './tree.js';
export type { EntryType, TreeEntry } from './tree.js';
export { lookupPath } from './lookup.js';
export type { ImageUser } from './users.js';
export type { ContainerConfig, ImageConfig } from './config.js';
