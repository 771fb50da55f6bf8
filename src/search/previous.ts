// --from: a previous result's config, and whether it is a tinyx result (an out dir, or the config in one).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DotConfig } from '../kconfig/dotconfig.js';
import { readUserConfig } from '../kconfig/userconfig.js';
import { exists } from '../util/fsx.js';

export interface Previous {
  config: DotConfig;
  /** It sits in the out dir of a finished `tinyx minimize` run (a report.json beside it): what it kept was found needed. */
  isResult: boolean;
  /** The kernel version its run used, from the report.json beside it (results from before that key have none). */
  kernelVersion?: string;
}

/** The config of a previous result: its out dir, or a .config. */
export async function readPrevious(from: string): Promise<Previous> {
  const dir = (await stat(from).catch(() => undefined))?.isDirectory() ? from : undefined;
  const config = await readUserConfig(dir ? path.join(dir, 'config') : from, '--from', 'Pass the out dir of a finished `tinyx minimize` run, or a kernel .config.');
  const report = path.join(dir ?? path.dirname(from), 'report.json');
  if (!(await exists(report))) return { config, isResult: false };
  const kernelVersion = await readFile(report, 'utf8').then((t) => (JSON.parse(t) as { kernelVersion?: unknown }).kernelVersion, () => undefined);
  return { config, isResult: true, ...(typeof kernelVersion === 'string' ? { kernelVersion } : {}) };
}
