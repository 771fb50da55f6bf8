// run.json in the output dir: what the run that made the result was asked to do, so `tinyx verify` can do it again.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import type { Compression, CompressionChoice } from '../packager/compress.js';
import type { Profile } from '../profile/types.js';
import type { RunRequest } from './plan.js';
import type { AppOptions, HarnessOptions, KernelOptions, SearchOptions } from './request.js';

/** What run.json keeps of a run's options: the app group whole, how it is tested, which kernel, what the search tries. */
export type RunJsonOptions = AppOptions & Pick<HarnessOptions, 'tests' | 'port' | 'accel' | 'testTimeoutMs' | 'bootTimeoutMs' | 'readyTimeoutMs'> & Pick<KernelOptions, 'profile' | 'kernelSrc'>
  & Pick<SearchOptions, 'candidates' | 'strategy' | 'cmdlineStrategy' | 'confirmFailures' | 'from' | 'noPrior' | 'keepReachable' | 'values'>;

/** The options of a run as given, with paths made absolute and the profile as its file. */
export type RunJson = Omit<RunJsonOptions, 'profile'> & {
  profile: string;
  /** The kernel tree the run used: version, cache key, and the linux-source package it came from (verify and resumes use the same). */
  kernel?: RecordedKernel;
  /** The compression asked for (auto or a name) and the one the run used for its kernel and initramfs (absent in run.json from before: gzip). */
  compression?: RecordedCompression;
};

export interface RecordedKernel { version: string; tree: string; package?: string }

export interface RecordedCompression { asked: CompressionChoice; used: Compression }

/** The compression a finished run used: run.json's, or gzip for a run made before tinyx chose one. */
export function recordedCompression(run: RunJson): Compression {
  return run.compression?.used ?? 'gzip';
}

/** run.json's content; written with the result (src/output/write.ts), so it never describes a run that did not make it. */
export function runJson(options: RunJsonOptions, kernel: RecordedKernel, compression: RecordedCompression): RunJson {
  return {
    app: options.app && path.resolve(options.app), image: options.image && (options.image === '-' ? '-' : path.resolve(options.image)), imageWhole: options.imageWhole, entry: options.entry, appArgs: options.appArgs, tests: path.resolve(options.tests), port: options.port,
    profile: options.profile.source, kernelSrc: options.kernelSrc && path.resolve(options.kernelSrc),
    candidates: options.candidates, strategy: options.strategy, cmdlineStrategy: options.cmdlineStrategy,
    confirmFailures: options.confirmFailures, accel: options.accel,
    testTimeoutMs: options.testTimeoutMs, bootTimeoutMs: options.bootTimeoutMs, readyTimeoutMs: options.readyTimeoutMs,
    from: options.from && path.resolve(options.from), noPrior: options.noPrior, keepReachable: options.keepReachable, values: options.values,
    include: options.include, exclude: options.exclude, includePackages: options.includePackages, trace: options.trace,
    user: options.user, env: options.env, cwd: options.cwd, init: options.init, root: options.root,
    volumes: options.volumes?.map((v) => { const at = v.lastIndexOf(':'); return `${path.resolve(v.slice(0, at))}${v.slice(at)}`; }),
    kernel, compression,
  };
}

export async function readRunJson(out: string): Promise<RunJson> {
  const file = path.join(out, 'run.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunJson;
  } catch (error) {
    throw new TinyxError('TINYX_OUT_INVALID', `${out} is not a tinyx output directory (no readable run.json).`, {
      advice: 'Pass the --out directory of a finished `tinyx minimize` run.', cause: error,
    });
  }
}

/**
 * The request run.json records, for `tinyx verify` and the fleet to plan the run again (makePlan):
 * the same tests, network, timeouts, kernel tree and search bounds the result was found with.
 */
export function requestFromRecord(run: RunJson, profile: Profile): RunRequest {
  return {
    app: run.app, image: run.image, imageWhole: run.imageWhole, entry: run.entry, appArgs: run.appArgs, tests: run.tests, port: run.port, accel: run.accel,
    testTimeoutMs: run.testTimeoutMs, bootTimeoutMs: run.bootTimeoutMs, readyTimeoutMs: run.readyTimeoutMs,
    profile, kernelSrc: run.kernelSrc ?? run.kernel?.package, compression: run.compression?.asked,
    candidates: run.candidates, strategy: run.strategy, cmdlineStrategy: run.cmdlineStrategy, confirmFailures: run.confirmFailures,
    from: run.from, noPrior: run.noPrior, keepReachable: run.keepReachable, values: run.values,
    include: run.include, exclude: run.exclude, includePackages: run.includePackages, trace: run.trace,
    user: run.user, env: run.env, cwd: run.cwd, init: run.init, root: run.root, volumes: run.volumes,
  };
}
