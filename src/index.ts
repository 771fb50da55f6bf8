// Public surface of tinyx as a library: named exports only.
export { TinyxError, isTinyxError } from './errors.js';
export type { TinyxErrorCode } from './errors.js';
