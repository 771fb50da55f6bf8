// Where the guest's root lives (an initramfs in RAM, or a read-only disk image) and the data volumes it gets: the flags read, the choice made.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { LARGE_ARCHIVE_BYTES } from './compress.js';

export const ROOT_CHOICES = ['auto', 'initramfs', 'disk'] as const;
export type RootChoice = (typeof ROOT_CHOICES)[number];
export type RootKind = Exclude<RootChoice, 'auto'>;

export function parseRootChoice(text: string): RootChoice {
  if ((ROOT_CHOICES as readonly string[]).includes(text)) return text as RootChoice;
  throw new TinyxError('TINYX_USAGE', `--root must be one of ${ROOT_CHOICES.join(', ')}, received "${text}".`);
}

/**
 * The root's kind: as asked, or with auto a disk for an archive of LARGE_ARCHIVE_BYTES or more (it
 * would otherwise be held in RAM twice, packed and unpacked), an initramfs below that. A disk root
 * boots only on this machine: with workers, auto keeps the initramfs.
 */
export function decideRoot(choice: RootChoice, archiveBytes: number, withWorkers: boolean): { kind: RootKind; reason: string } {
  if (choice !== 'auto') return { kind: choice, reason: 'as asked (--root)' };
  const mib = (archiveBytes / 2 ** 20).toFixed(1);
  if (archiveBytes < LARGE_ARCHIVE_BYTES) return { kind: 'initramfs', reason: `auto: the root is ${mib} MiB, under ${LARGE_ARCHIVE_BYTES / 2 ** 20} MiB` };
  if (withWorkers) return { kind: 'initramfs', reason: `auto: the root is ${mib} MiB, but a disk root boots only on this machine and the run has workers` };
  return { kind: 'disk', reason: `auto: the root is ${mib} MiB, ${LARGE_ARCHIVE_BYTES / 2 ** 20} MiB or more` };
}

/** A data volume as planned: the host directory it is seeded from, where the guest mounts it, its image's file name. */
export interface VolumePlan {
  host: string;
  guest: string;
  /** The image's file name (`data.ext4`), unique in the run. */
  file: string;
}

/** Guest paths a volume may not be mounted on or under: the init mounts its own file systems there. */
const RESERVED = ['/proc', '/sys', '/dev', '/tmp', '/run'];
/** The guest has vdb..vdz after a disk root. */
export const MAX_VOLUMES = 24;

/** `--volume HOST:GUEST` values, HOST resolved from `cwd`; a bad value is a TINYX_USAGE error. */
export function parseVolumes(values: readonly string[], cwd: string): VolumePlan[] {
  if (values.length > MAX_VOLUMES) throw usage(`at most ${MAX_VOLUMES} --volume flags, received ${values.length}.`);
  const volumes: VolumePlan[] = [];
  const names = new Set<string>();
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    const host = colon > 0 ? value.slice(0, colon) : '';
    const guest = colon > 0 ? path.posix.normalize(value.slice(colon + 1)).replace(/(.)\/+$/, '$1') : '';
    if (!host || !guest.startsWith('/')) throw usage(`--volume takes HOST_DIR:GUEST_DIR, GUEST_DIR absolute, received "${value}".`);
    if (guest === '/' || RESERVED.some((r) => guest === r || guest.startsWith(`${r}/`))) {
      throw usage(`--volume ${value}: the guest directory may not be / or under ${RESERVED.join(', ')} (the init mounts its own file systems there).`);
    }
    const clash = volumes.find((v) => v.guest === guest || guest.startsWith(`${v.guest}/`) || v.guest.startsWith(`${guest}/`));
    if (clash) throw usage(`--volume ${value}: ${guest} overlaps the volume at ${clash.guest}.`);
    const stem = (path.posix.basename(guest).replace(/[^A-Za-z0-9._-]/g, '_') || 'volume').replace(/^\.+/, '_');
    let file = `${stem}.ext4`;
    for (let n = 2; names.has(file); n++) file = `${stem}-${n}.ext4`;
    names.add(file);
    volumes.push({ host: path.resolve(cwd, host), guest, file });
  }
  return volumes;
}

function usage(message: string): TinyxError {
  return new TinyxError('TINYX_USAGE', message, { advice: 'See tinyx minimize --help.' });
}

/** A data volume ready to boot: its seeded ext4 image, where the guest mounts it, its device there. */
export interface VolumeImage extends VolumePlan {
  /** The seeded image (each boot gets a fresh copy of it). */
  image: string;
  sha256: string;
  /** The guest's block device (`vdb`): after the root's disk, when the root is one. */
  device: string;
}

/** A volume's image in the out dir: `volume-data.ext4` (what run.sh boots), `volume-data.tested.ext4` (as the last re-check's tests left it). */
export function volumeFileName(file: string, which: 'seed' | 'tested' = 'seed'): string {
  return which === 'seed' ? `volume-${file}` : `volume-${file.replace(/\.ext4$/, '')}.tested.ext4`;
}
