// `tinyx deps --app X [--json]`: prints what the guest needs for the app, with sizes, reasons and packages.
import { stat } from 'node:fs/promises';
import { TinyxError } from '../errors.js';
import { depsReport, formatDepsText, humanBytes } from '../deps/describe.js';
import { CLOSURE_RULES, hostPackageClosure } from '../deps/pkgclosure.js';
import { attributePackages } from '../deps/packages.js';
import type { Manifest, ManifestEntry } from '../deps/manifest.js';
import { resolveApp } from '../deps/resolve.js';
import { resolveImageApp, type ImageResolveOptions } from '../deps/resolve-image.js';
import { openImageRun } from '../image/index.js';
import { findBusybox } from '../packager/busybox.js';
import { chooseInit, parseInitChoice, type InitKind } from '../packager/init-kind.js';
import type { InitSpec } from '../packager/init.js';
import { planRootfs } from '../packager/rootfs.js';
import { findTinyxInit } from '../packager/tinyx-init.js';
import { DEPS_FLAGS, DEPS_USAGE } from '../flags/commands.js';
import { parseFlags } from '../flags/flag.js';
import { renderHelp } from '../flags/render.js';
import type { CliIo } from './io.js';

export async function depsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(DEPS_FLAGS, argv);
  if (values.help) {
    io.stdout(renderHelp(DEPS_USAGE, DEPS_FLAGS));
    return 0;
  }
  if (!values.app === !values.image) throw new TinyxError('TINYX_USAGE', 'tinyx deps needs --app PATH or --image IMAGE (one of them)', { advice: 'Example: tinyx deps --app examples/hello-http/build/server' });
  const init = parseInitChoice(values.init);
  const seconds = values['trace-seconds'] === undefined ? undefined : Number(values['trace-seconds']);
  if (seconds !== undefined && !(seconds > 0)) throw new TinyxError('TINYX_USAGE', `--trace-seconds needs a positive number, got ${values['trace-seconds']}`);
  const probe = values['trace-probe']
    ? { command: values['trace-probe'], env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: values['trace-port'] } }
    : undefined;
  const trace = values.trace || values['trace-arg'] || seconds || probe ? { args: values['trace-arg'], seconds, probe, signal: io.signal } : undefined;
  const manifest = values.image
    ? await imageManifest(values.image, { include: values.include, exclude: values.exclude, includePackages: values['include-package'], keepSetuid: values['keep-setuid'] })
    : await resolveApp(values.app!, {
      guestDir: values['guest-dir'], entry: values.entry, include: values.include, exclude: values.exclude, includePackages: values['include-package'], strace: trace, keepSetuid: values['keep-setuid'],
    });
  const view = values.rootfs ? await rootfsView(manifest, (await chooseInit(init, manifest)).kind) : { manifest, inline: new Map<string, number>() };
  const sizes = new Map<string, number>(view.inline);
  await Promise.all(view.manifest.entries.map(async (e) => {
    if (e.kind === 'file' && e.hostPath) sizes.set(e.guestPath, (await stat(e.hostPath)).size);
  }));
  // An image's files carry their packages from its own dpkg (depsReport shows them): the host's knows nothing of them.
  const packages = values['no-packages'] || values.image ? new Map() : await attributePackages(view.manifest);
  const report = depsReport(view.manifest, sizes, packages);
  const closure = values['no-packages'] || values.image ? undefined : await hostPackageClosure([...new Set([...packages.values()].flatMap((p) => p.package.split(', ')))]);
  if (values.json) {
    io.stdout(`${JSON.stringify(closure ? { ...report, packageClosure: { ...closure, rules: CLOSURE_RULES } } : report, null, 2)}\n`);
  } else {
    io.stdout(formatDepsText(report));
    if (closure) io.stdout(`Installing these packages takes ${humanBytes(closure.installedBytes)} (${closure.packages.length} packages with their dependencies).\n`);
  }
  return 0;
}

/** The full guest tree planRootfs would pack (no app arguments), as a manifest; sizes of inline files. */
async function rootfsView(manifest: Manifest, kind: InitKind): Promise<{ manifest: Manifest; inline: Map<string, number> }> {
  const init: InitSpec = { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 }, kind };
  const nodes = planRootfs(kind === 'tinyx' ? { manifest, init, tinyxInitHostPath: await findTinyxInit() } : { manifest, init, busyboxHostPath: await findBusybox() });
  const inline = new Map<string, number>();
  const entries: ManifestEntry[] = nodes.map((n) => {
    if (n.data !== undefined) inline.set(n.path, typeof n.data === 'string' ? Buffer.byteLength(n.data) : n.data.length);
    return { guestPath: n.path, kind: n.kind, mode: n.mode, hostPath: n.hostPath, target: n.target, major: n.major, minor: n.minor, reason: n.reason };
  });
  return { manifest: { app: manifest.app, entries, excluded: manifest.excluded }, inline };
}

/** The manifest of an image's program (its Entrypoint + Cmd), resolved inside the image. */
async function imageManifest(ref: string, options: ImageResolveOptions): Promise<Manifest> {
  const { unpacked, files, run } = await openImageRun(ref);
  return resolveImageApp({ rootfs: unpacked.rootfs, tree: files.tree }, run, options);
}
