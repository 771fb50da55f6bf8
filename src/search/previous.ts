// --from: a previous result's config, and the options it removed (tried first, all at once).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { enabledSymbols, type DotConfig } from '../kconfig/dotconfig.js';
import { readUserConfig } from '../kconfig/userconfig.js';

/** The config of a previous result: its out dir, or a .config. */
export async function readPrevious(from: string): Promise<DotConfig> {
  const file = (await stat(from).catch(() => undefined))?.isDirectory() ? path.join(from, 'config') : from;
  return readUserConfig(file, '--from', 'Pass the out dir of a finished `tinyx minimize` run, or a kernel .config.');
}

/** Pure: the options enabled in `start` that the previous result did not enable. */
export function removedBefore(start: DotConfig, previous: DotConfig): Set<string> {
  return new Set(enabledSymbols(start).filter((name) => previous.get(name) !== 'y'));
}
