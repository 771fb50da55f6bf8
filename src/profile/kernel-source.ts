// The kernel tree a run uses: --kernel-src, else the profile's kernel.source, the default profile's when none is given.
import { findKernelSource, type KernelSource, type SourceOptions } from '../kconfig/source.js';
import { DEFAULT_PROFILE, loadProfile } from './load.js';

export async function resolveKernelSource(options: SourceOptions = {}): Promise<KernelSource> {
  const profile = options.profile ?? (options.kernelSrc ? undefined : await loadProfile(DEFAULT_PROFILE));
  return findKernelSource({ ...options, profile });
}
