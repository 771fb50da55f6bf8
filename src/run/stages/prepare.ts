// The stages before any kernel: inputs (checked up front), deps (the app's closure), initramfs (packed and compressed).
import path from 'node:path';
import { resolveApp, resolveImageApp, wholeImageManifest, type Manifest } from '../../deps/index.js';
import { openImageRun, type OpenedImage } from '../../image/index.js';
import { hostStrace } from '../../deps/host-strace.js';
import { packPlanned, planArchive } from '../../packager/initramfs.js';
import { checkStrip } from '../../packager/strip.js';
import { chooseInit } from '../../packager/init-kind.js';
import { pickAccounts, type Accounts } from '../../packager/accounts.js';
import { lockOut } from '../../output/lock.js';
import { checkCandidateNames } from '../../search/candidates.js';
import { packRoot, planCompression } from '../../search/compression.js';
import { decideRoot, type RootKind, type VolumeImage, type VolumePlan } from '../../packager/root-kind.js';
import { checkVolumeSeeds, makeVolume } from '../../packager/volume.js';
import { volumeDevice } from '../../vm/spec.js';
import { sha256File } from '../../util/hash.js';
import { openKernel } from '../../search/context.js';
import { checkApp, checkOut, checkTests, checkTools } from '../../search/inputs.js';
import { readPrevious } from '../../search/previous.js';
import { getStrategy } from '../../search/strategies/index.js';
import { launchTargets } from '../../vm/targets.js';
import { hostFacts } from '../../plan/host.js';
import { makePlan, withDiskRoot } from '../../plan/plan.js';
import type { OutLock } from '../../output/lock.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';
import { readModel } from './model.js';

/** Every input checked before anything is built, then the out dir's lock (`held`, for the caller to release) and the kernel tree. */
export function inputsStage(held: { lock?: OutLock }): StageStep<RunState> {
  return {
    stage: 'inputs',
    message: () => 'checking inputs',
    run: async (s) => {
      s.plan = makePlan(s.options, hostFacts());
      const { plan, options, emit } = s;
      const { profile } = plan.kernel;
      const { source } = plan.pack;
      if (source.kind === 'app') ({ file: s.app, entry: s.entry } = await checkApp(source.app, source.entry));
      s.tests = await checkTests(plan.test.tests);
      s.out = await checkOut(options.out);
      getStrategy(plan.search.strategy);
      getStrategy(plan.search.cmdlineStrategy);
      launchTargets(profile.vm.targets);
      await checkTools();
      if (plan.pack.strip) await checkStrip();
      if (plan.pack.volumes.length) await checkVolumeSeeds(plan.pack.volumes.map((v) => v.host));
      s.compressionPlan = await planCompression(options);
      s.previous = plan.search.from ? await readPrevious(plan.search.from) : undefined;
      if (source.kind === 'image') await openRunImage(s, source.image);
      s.work = path.join(s.out, '.work');
      held.lock = options.outLock ?? await lockOut(s.out, (message) => emit({ type: 'info', message }));
      s.scratch = held.lock.scratch;
      s.kernelTree = await openKernel(plan.kernel);
      const { source: tree } = s.kernelTree;
      emit({ type: 'info', message: `kernel ${tree.version}: ${tree.dir} (${tree.chosenBy})` });
      for (const note of tree.notes) emit({ type: 'info', message: note });
      if (s.previous?.kernelVersion && s.previous.kernelVersion !== tree.version) {
        emit({ type: 'info', message: `kernel changed: ${s.previous.kernelVersion} -> ${tree.version} (--from's result ran on ${s.previous.kernelVersion}; its options are the first guess, by name)` });
      }
      // With --candidates (or --values naming options) the model is read now, so a misspelled name is refused before any build.
      const { candidates, values } = plan.search;
      if (candidates || Array.isArray(values)) {
        const flags = [candidates ? '--candidates' : '', Array.isArray(values) ? '--values' : ''].filter(Boolean).join(' and ');
        s.earlyModel = await readModel(tree.dir, plan.kernel.cache, emit, `${flags} names are not checked before the build, and the kernel's olddefconfig does every check`);
        if (s.earlyModel && candidates) checkCandidateNames(candidates, s.earlyModel.symbolNames());
        if (s.earlyModel && Array.isArray(values)) checkCandidateNames(values, s.earlyModel.numberNames(), '--values');
      }
    },
  };
}

/**
 * The image opened (inspected, then unpacked into the cache or found there), its default run taken
 * with the flags over its fields, and the plan made again with it (its port, its program).
 */
async function openRunImage(s: RunState, ref: string): Promise<void> {
  const { options, emit } = s;
  const say = (message: string) => emit({ type: 'info', message });
  s.image = await openImageRun(ref, {
    ...(options.appArgs.length ? { args: options.appArgs } : {}),
    ...(options.env ? { env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.cwd !== undefined ? { workdir: options.cwd } : {}),
  }, { cacheRoot: s.plan.kernel.cache, say });
  const { unpacked, run } = s.image;
  s.plan = makePlan(options, hostFacts(), { run });
  s.app = path.join(unpacked.rootfs, run.argv[0]!);
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  say(`image: ${unpacked.format}, ${unpacked.platform}, config ${unpacked.configDigest.slice(0, 19)}${unpacked.cached ? ' (unpacked before)' : ''}: ${mib(unpacked.sizes.layers)} of layers, ${mib(unpacked.sizes.unpacked)} unpacked`);
  say(`image run: ${run.argv.join(' ')} as ${run.user.name ?? run.user.uid}:${run.user.gid} in ${run.workingDir}${s.plan.boot.network ? `, port ${s.plan.boot.network.guestPort}` : ', no network'}`);
  for (const note of [...unpacked.notes, ...run.notes]) say(`image: ${note}`);
  for (const field of run.unhonoured) emit({ type: 'warning', message: `image config ${field}` });
}

export const depsStage: StageStep<RunState> = {
  stage: 'deps',
  message: (s) => `resolving the runtime closure of ${s.image ? `${s.image.run.argv[0]} in the image` : path.basename(s.app)}`,
  run: async (s) => {
    const { pack } = s.plan;
    if (s.image) {
      s.manifest = await imageManifest(s, s.image);
      return;
    }
    s.manifest = await resolveApp(s.app, {
      entry: s.entry, include: pack.include, exclude: pack.exclude, includePackages: pack.includePackages, outDir: s.out, keepSetuid: pack.keepSetuid,
      strace: pack.trace ? hostStrace({ ...pack, port: pack.network?.guestPort, seconds: pack.traceSeconds, signal: s.options.signal }, s.tests) : undefined,
    });
  },
};

/** The image's program and what it needs, found in the image (or, with --image-whole, every file of it). */
async function imageManifest(s: RunState, image: OpenedImage): Promise<Manifest> {
  const { pack } = s.plan;
  const root = { rootfs: image.unpacked.rootfs, tree: image.files.tree };
  if (pack.source.kind === 'image' && pack.source.whole) return wholeImageManifest(root, image.run.argv[0]!, pack.keepSetuid);
  const port = pack.network?.guestPort ?? 0;
  return resolveImageApp(root, image.run, {
    include: pack.include, exclude: pack.exclude, includePackages: pack.includePackages, keepSetuid: pack.keepSetuid,
    ...(pack.trace ? { trace: { run: image.run, probe: { command: s.tests, port }, seconds: pack.traceSeconds, signal: s.options.signal } } : {}),
  });
}

export const initramfsStage: StageStep<RunState> = {
  stage: 'initramfs',
  message: (s) => `packing the root${s.plan.pack.volumes.length ? ' and the volumes' : ''}`,
  run: async (s) => {
    const { pack, execution } = s.plan;
    s.init = await chooseInit(pack.init, s.manifest);
    s.emit({ type: 'info', message: `init: ${s.init.kind} (${s.init.reason})` });
    const plan = (kind: RootKind) => planArchive({
      manifest: s.manifest,
      init: {
        appGuestPath: s.manifest.app.guestPath, appArgs: pack.appArgs, network: pack.network, env: pack.env, cwd: pack.cwd, user: pack.user, kind: s.init.kind,
        volumes: pack.volumes.map((v, i) => ({ device: volumeDevice(i, kind === 'disk'), path: v.guest })), readOnlyRoot: kind === 'disk',
      },
      ...(s.image ? { accounts: imageAccounts(s.image, pack.user) } : {}),
    });
    // Planned as an initramfs first: auto decides on its size (a disk root names the volumes' devices after its own).
    s.planned = await plan('initramfs');
    s.packed = packPlanned(s.planned);
    const root = decideRoot(pack.root, s.packed.archive.length, Boolean(execution.workers?.length));
    s.emit({ type: 'info', message: `root: ${root.kind === 'disk' ? 'a read-only squashfs disk' : 'an initramfs in RAM'} (${root.reason})` });
    if (root.kind === 'disk' && pack.volumes.length) {
      s.planned = await plan('disk');
      s.packed = packPlanned(s.planned);
    }
    if (root.kind === 'disk') s.plan = withDiskRoot(s.plan);
    const packed = await packRoot(s.compressionPlan, s.packed, s.scratch, s.emit, root.kind === 'disk', s.options.signal);
    s.initramfsSizes = packed.sizes;
    s.initramfs = packed.initramfs;
    s.otherInitramfs = packed.others;
    s.volumes = await seedVolumes(pack.volumes, path.join(s.scratch, 'volumes'), root.kind === 'disk', s);
  },
};

/** Each volume's ext4 image, seeded from its host directory, with its guest device. */
async function seedVolumes(volumes: readonly VolumePlan[], dir: string, rootDisk: boolean, s: RunState): Promise<VolumeImage[]> {
  const seeded: VolumeImage[] = [];
  for (const [i, v] of volumes.entries()) {
    const began = Date.now();
    const made = await makeVolume(v.host, path.join(dir, v.file), s.options.signal);
    const device = volumeDevice(i, rootDisk);
    seeded.push({ ...v, image: made.file, sha256: await sha256File(made.file), device });
    s.emit({ type: 'info', message: `volume ${v.guest}: /dev/${device}, ext4 seeded from ${v.host} (${(made.bytes / 2 ** 20).toFixed(0)} MiB image, in ${((Date.now() - began) / 1000).toFixed(1)} s)` });
  }
  return seeded;
}

/**
 * An image's guest gets the image's own accounts (its system ones, and its user), never the
 * host's. A user the image names only by number gets a passwd line of its own.
 */
function imageAccounts(image: OpenedImage, user: string | undefined): Accounts {
  const { uid, gid, home, name } = image.run.user;
  const passwd = image.files.passwd ?? '';
  const extra = user !== undefined && name === undefined ? `${user}:x:${uid}:${gid}::${home}:/sbin/nologin\n` : '';
  return pickAccounts(`${passwd}${passwd && !passwd.endsWith('\n') ? '\n' : ''}${extra}`, image.files.group ?? '', user ? [user] : []);
}
