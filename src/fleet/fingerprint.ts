// What a result was made from: hashes of the app, its files, the tests, the profile, the kernel tree and the app's options.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveApp } from '../deps/index.js';
import { inspectImage } from '../image/index.js';
import { cacheRoot } from '../util/paths.js';
import type { KernelSource } from '../kconfig/source.js';
import { resolveKernelSource } from '../profile/kernel-source.js';
import { checkApp, checkTests } from '../search/inputs.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256, sha256File } from '../util/hash.js';
import { optionsText } from './argv.js';
import type { PlannedApp } from './load.js';

/** Beside a passing result in its out dir: the inputs it was made from. */
export const FINGERPRINT_FILE = 'fingerprint.json';

export const INPUT_NAMES = ['app', 'files', 'tests', 'profile', 'kernel', 'options'] as const;
export type InputName = (typeof INPUT_NAMES)[number];

export interface Fingerprint {
  /** One hash over every input. */
  key: string;
  /** Each input's own hash (the kernel: its tree's cache key), to say which changed. */
  inputs: Record<InputName, string>;
  kernelVersion: string;
}

/** fingerprint.json: the fingerprint of the result beside it, when it passed, and which result it is (its report.json's hash). */
export interface FingerprintRecord extends Fingerprint {
  version: 1;
  passedAt: string;
  /** sha256 of the report.json written with it: a result written over it later (by hand) is not taken for it. */
  report: string;
}

/**
 * The inputs of an app as they are now. The files are the manifest's static closure (the app's
 * libraries, interpreters, --include and --include-package files): what only a --trace run would
 * add is not in it. The app and the tests are checked first, so a missing one fails before the
 * kernel tree is looked at. The tree comes back too (the kernel input is its key).
 */
export async function fingerprint({ app, options }: PlannedApp): Promise<{ print: Fingerprint; tree: KernelSource }> {
  if (options.image !== undefined) return imageFingerprint({ app, options });
  const { file, entry } = await checkApp(options.app!, options.entry);
  const tests = await checkTests(options.tests);
  const manifest = await resolveApp(file, { entry, include: options.include, exclude: options.exclude, includePackages: options.includePackages });
  // The program itself is the `app` input; everything else that goes in with it is `files`.
  const others = manifest.entries.filter((e) => e.guestPath !== manifest.app.guestPath);
  const lines = await Promise.all(others.sort((a, b) => a.guestPath.localeCompare(b.guestPath)).map(async (e) => {
    const content = e.kind === 'file' && e.hostPath ? await sha256File(e.hostPath) : (e.target ?? '');
    return `${e.guestPath} ${e.kind} ${e.mode.toString(8)} ${e.uid ?? 0}:${e.gid ?? 0} ${content}`;
  }));
  const program = (await stat(file)).isDirectory() ? path.join(file, entry ?? '') : file;
  const tree = await resolveKernelSource({ kernelSrc: options.kernelSrc, cache: options.cache, profile: options.profile });
  const inputs: Record<InputName, string> = {
    app: await sha256File(program),
    files: sha256(lines.join('\n')),
    tests: await sha256File(tests),
    profile: sha256(await readFile(options.profile.source, 'utf8')),
    kernel: tree.key,
    options: sha256(optionsText(app)),
  };
  return { print: printOf(inputs, tree), tree };
}

function printOf(inputs: Record<InputName, string>, tree: KernelSource): Fingerprint {
  return { key: sha256(INPUT_NAMES.map((n) => `${n} ${inputs[n]}`).join('\n')), inputs, kernelVersion: tree.version };
}

/** Pure: the inputs that differ between two fingerprints, in INPUT_NAMES order. */
export function changedInputs(before: Fingerprint, now: Fingerprint): InputName[] {
  return INPUT_NAMES.filter((n) => before.inputs[n] !== now.inputs[n]);
}

export async function readFingerprint(out: string): Promise<FingerprintRecord | undefined> {
  const text = await readFile(path.join(out, FINGERPRINT_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as Partial<FingerprintRecord>;
    const complete = record.version === 1 && typeof record.key === 'string' && typeof record.passedAt === 'string' && typeof record.report === 'string'
      && INPUT_NAMES.every((n) => typeof record.inputs?.[n] === 'string');
    return complete ? (record as FingerprintRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the fingerprint of the result now in `out` (after its report.json). */
export async function writeFingerprint(out: string, print: Fingerprint, passedAt: Date): Promise<void> {
  const report = sha256(await readFile(path.join(out, 'report.json'), 'utf8'));
  const record: FingerprintRecord = { version: 1, key: print.key, inputs: print.inputs, kernelVersion: print.kernelVersion, passedAt: passedAt.toISOString(), report };
  await writeFileAtomic(path.join(out, FINGERPRINT_FILE), JSON.stringify(record, null, 2) + '\n');
}

/**
 * An image app's inputs: its config digest stands for the program and every file (it names each
 * layer's digest), read without unpacking anything; the tests, profile, kernel and options as for
 * a program.
 */
async function imageFingerprint({ app, options }: PlannedApp): Promise<{ print: Fingerprint; tree: KernelSource }> {
  const source = await inspectImage(options.image!, { cacheRoot: options.cache ?? cacheRoot() });
  await source.close();
  const tests = await checkTests(options.tests);
  const tree = await resolveKernelSource({ kernelSrc: options.kernelSrc, cache: options.cache, profile: options.profile });
  const inputs: Record<InputName, string> = {
    app: source.configDigest,
    files: source.configDigest,
    tests: await sha256File(tests),
    profile: sha256(await readFile(options.profile.source, 'utf8')),
    kernel: tree.key,
    options: sha256(optionsText(app)),
  };
  return { print: printOf(inputs, tree), tree };
}
