// Chooses QEMU's accelerator: KVM only once a real guest has been seen running under it on this host.
import { access, constants, readFile } from 'node:fs/promises';
import { release } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { ACCEL_CHOICES, type AccelChoice } from '../profile/types.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256 } from '../util/hash.js';
import { cacheRoot } from '../util/paths.js';

/** What QEMU is started with. */
export type Accel = 'kvm' | 'tcg';

export interface AccelDecision {
  accel: Accel;
  choice: AccelChoice;
  /** Why: "asked for", "KVM ran the probe guest", "/dev/kvm missing", "KVM guest printed nothing"... */
  reason: string;
  /** The answer came from the per-host cache (no probe run now). */
  cached: boolean;
}

export function accelArgs(accel: Accel): string[] {
  return accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg'];
}

/** `--accel`, then TINYX_ACCEL, then the profile's qemu.accel, then auto. */
export function accelChoice(flag: string | undefined, profile: AccelChoice | undefined, env: NodeJS.ProcessEnv = process.env): AccelChoice {
  if (flag !== undefined) return parseAccel(flag, '--accel');
  if (env.TINYX_ACCEL) return parseAccel(env.TINYX_ACCEL, 'TINYX_ACCEL');
  return profile ?? 'auto';
}

export function parseAccel(text: string, where: string): AccelChoice {
  if ((ACCEL_CHOICES as readonly string[]).includes(text)) return text as AccelChoice;
  throw new TinyxError('TINYX_USAGE', `${where} must be one of ${ACCEL_CHOICES.join(', ')}, received "${text}".`, {
    advice: 'auto uses KVM only after a probe guest has run under it here; tcg always works (slower).',
  });
}

/** Seconds the probe guest has to print its first byte (the firmware prints within a second, even under TCG). */
export const PROBE_SECONDS = 5;

/**
 * The probe as a shell script, run here and on worker hosts alike: `sh -c SCRIPT sh QEMU MACHINE DEVICE`
 * prints "kvm" when a guest started like tinyx starts one (-accel kvm -cpu host) gets its firmware to
 * print on the debug console within PROBE_SECONDS, else "tcg: <why>". No kernel is needed.
 */
export const KVM_PROBE_SCRIPT = `qemu=$1 machine=$2 dev=$3
[ -e "$dev" ] || { echo "tcg: no $dev"; exit 0; }
{ [ -r "$dev" ] && [ -w "$dev" ]; } || { echo "tcg: $dev is not readable and writable by this user"; exit 0; }
fw=$(mktemp) err=$(mktemp)
timeout -s KILL ${PROBE_SECONDS + 5} "$qemu" -M "$machine" -accel kvm -cpu host -m 16 -smp 1 -nodefaults -no-user-config \\
  -display none -serial none -chardev file,id=fw,path="$fw" -device isa-debugcon,iobase=0x402,chardev=fw >/dev/null 2>"$err" &
pid=$! n=0
while [ ! -s "$fw" ] && [ $n -lt ${PROBE_SECONDS * 10} ] && kill -0 $pid 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
printed=$(head -c 16 "$fw") exited=$(kill -0 $pid 2>/dev/null || echo yes)
kill $pid 2>/dev/null; wait $pid 2>/dev/null
why=$(grep -v ': warning: ' "$err" | head -n 1); rm -f "$fw" "$err"
if [ -n "$printed" ]; then echo kvm
elif [ -n "$exited" ]; then echo "tcg: QEMU could not run a KVM guest here (\${why:-it exited at once})"
else echo "tcg: $dev is there, but a KVM guest printed nothing within ${PROBE_SECONDS} s (nested virtualization missing?)"; fi
`;

export interface ProbeOptions {
  qemu: string;
  machine: string;
  /** The KVM device (a test can point this elsewhere). */
  device?: string;
}

/**
 * The machine the probe guest runs on: the profile's, unless its firmware prints nothing on the
 * debug console (microvm's qboot), where `pc` (SeaBIOS) answers the same question: does KVM run a
 * guest on this host.
 */
export function probeMachine(machine: string): string {
  return /^microvm\b/.test(machine) ? 'pc' : machine;
}

/** The probe as a command line, for execa here or quoted into a worker's shell. */
export function kvmProbeArgv(options: ProbeOptions): string[] {
  return ['sh', '-c', KVM_PROBE_SCRIPT, 'sh', options.qemu, probeMachine(options.machine), options.device ?? '/dev/kvm'];
}

/** Runs the probe on this host. */
export async function probeKvm(options: ProbeOptions): Promise<{ accel: Accel; reason: string }> {
  const [file, ...args] = kvmProbeArgv(options);
  const result = await execa(file!, args, {
    reject: false, stdin: 'ignore', timeout: (PROBE_SECONDS + 10) * 1000,
  });
  const line = result.stdout.trim();
  if (line === 'kvm') return { accel: 'kvm', reason: `a probe guest ran under KVM (${options.device ?? '/dev/kvm'})` };
  return { accel: 'tcg', reason: line.startsWith('tcg: ') ? line.slice(5) : `the KVM probe failed (${result.shortMessage ?? 'no output'})` };
}

export interface ResolveOptions extends ProbeOptions {
  choice: AccelChoice;
  /** Where the per-host answer is kept (default: the cache root). */
  cache?: string;
}

const memo = new Map<string, Promise<AccelDecision>>();
const memoKey = (options: ResolveOptions) => JSON.stringify([options.qemu, options.machine, options.device, options.cache]);

/**
 * The accelerator for this run. `auto` asks the per-host cache (keyed by QEMU's version, the host
 * kernel and the machine type), else runs the probe once and remembers its answer.
 */
export function resolveAccel(options: ResolveOptions): Promise<AccelDecision> {
  if (options.choice === 'kvm') return kvmAsked(options.device ?? '/dev/kvm');
  if (options.choice === 'tcg') return Promise.resolve({ accel: 'tcg', choice: 'tcg', reason: 'asked for', cached: false });
  const id = memoKey(options);
  let decision = memo.get(id);
  if (!decision) {
    decision = decide(options);
    memo.set(id, decision);
    decision.catch(() => memo.delete(id));
  }
  return decision;
}

/** Forget and re-record the answer for this host: a guest that printed nothing under KVM disproved it. */
export async function recordAccel(options: ResolveOptions, accel: Accel, reason: string): Promise<void> {
  const key = await hostKey(options);
  const file = cacheFile(options);
  const known = await readKnown(file);
  known[key] = { accel, reason, at: new Date().toISOString() };
  await writeFileAtomic(file, JSON.stringify(known, null, 2) + '\n');
  memo.set(memoKey(options), Promise.resolve({ accel, choice: 'auto', reason, cached: false }));
}

async function kvmAsked(device: string): Promise<AccelDecision> {
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new TinyxError('TINYX_ACCEL_UNAVAILABLE', `KVM was asked for, but ${device} is missing or not readable and writable here.`, {
      advice: 'Use --accel tcg (or auto), or give this user access to /dev/kvm (the kvm group).', cause: error,
    });
  }
  return { accel: 'kvm', choice: 'kvm', reason: 'asked for', cached: false };
}

async function decide(options: ResolveOptions): Promise<AccelDecision> {
  const key = await hostKey(options);
  const file = cacheFile(options);
  const known = (await readKnown(file))[key];
  if (known) return { accel: known.accel, choice: 'auto', reason: known.reason, cached: true };
  const probed = await probeKvm(options);
  await recordAccel(options, probed.accel, probed.reason);
  return { ...probed, choice: 'auto', cached: false };
}

interface KnownAnswer {
  accel: Accel;
  reason: string;
  at: string;
}

async function readKnown(file: string): Promise<Record<string, KnownAnswer>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, KnownAnswer>;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function cacheFile(options: ResolveOptions): string {
  return path.join(options.cache ?? cacheRoot(), 'accel.json');
}

/** QEMU's version, the host kernel and its boot, the machine, whether the device is there: a change in any probes again. */
async function hostKey(options: ProbeOptions): Promise<string> {
  const version = await execa(options.qemu, ['--version'], { reject: false, stdin: 'ignore' });
  const bootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '');
  const device = options.device ?? '/dev/kvm';
  const present = await access(device).then(() => true, () => false);
  return sha256(JSON.stringify([version.stdout.split('\n')[0], release(), bootId.trim(), options.machine, device, present, options.qemu]));
}
