// The start config of a profile: base target + the profile's options, normalized by the kernel.
import type { Profile } from './types.js';
import { TinyxError } from '../errors.js';
import { COMPRESSORS, withCompression, type Compression } from '../packager/compress.js';
import { harnessAlways, harnessDisks, type GuestDisks } from './harness.js';
import { withValues, type KernelConfigTool } from '../kconfig/kernel.js';
import type { DotConfig } from '../kconfig/dotconfig.js';

export interface StartConfig {
  config: DotConfig;
  /** Profile options (and the compression's two) that did not end up as asked (unknown, or held by a dependency). */
  unmet: string[];
  /** The `extra` options the profile left off that are on now; the others did not stick (a dependency is off). */
  added: string[];
}

/**
 * The base target, the profile's enable and disable lists, and the run's compression: its RD_
 * option on and the kernel compressed the same way (withCompression); then olddefconfig. `extra`
 * (what the app's calls need) is enabled too, except what the profile disables: the profile wins.
 * The guest's disks (a disk root, volumes) enable the profile's harness lists for them.
 */
export async function makeStartConfig(tool: KernelConfigTool, profile: Profile, compression: Compression, extra: readonly string[] = [], disks: GuestDisks = {}): Promise<StartConfig> {
  const base = await tool.baseConfig(profile.kernel.base);
  const forDisks = harnessDisks(profile, compression, disks);
  const asked = (more: readonly string[]) => withCompression(withValues(withValues(withValues(base, [...profile.kernel.enable, ...forDisks], 'y'), more, 'y'), profile.kernel.disable, 'n'), compression);
  // The profile's alone first: only what it leaves off costs a second olddefconfig.
  const plain = await tool.olddefconfig(asked([]));
  const off = extra.filter((n) => plain.get(n) !== 'y');
  const config = off.length > 0 ? await tool.olddefconfig(asked(off)) : plain;
  const added = off.filter((n) => config.get(n) === 'y');
  const unmet = [
    ...profile.kernel.enable.filter((n) => config.get(n) !== 'y'),
    ...profile.kernel.disable.filter((n) => (config.get(n) ?? 'n') !== 'n'),
    ...[COMPRESSORS[compression].initramfsOption, COMPRESSORS[compression].kernelOption].filter((n) => config.get(n) !== 'y'),
  ];
  const { keep, harness } = profile.kernel;
  const missing = Object.entries({ 'kernel.keep': keep, 'kernel.harness.always': harnessAlways(profile, compression, disks), 'kernel.harness.network': harness.network, 'kernel.harness.disk and .volume': forDisks })
    .map(([key, names]) => [key, names.filter((n) => config.get(n) !== 'y')] as const)
    .filter(([, names]) => names.length > 0);
  if (missing.length > 0) {
    const listed = missing.map(([key, names]) => `${key} lists options that are not enabled in the start config: ${names.join(', ')}`).join('; ');
    throw new TinyxError('TINYX_PROFILE_INVALID', `Profile ${profile.source}: ${listed}.`, {
      advice: 'Add them to kernel.enable, or check their dependencies (`tinyx kconfig explain NAME`).',
    });
  }
  return { config, unmet, added };
}
