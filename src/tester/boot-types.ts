// What a boot is asked, where its guest runs and what it ends in: the types boot.ts and watch-boot.ts share.
import type { GuestNetwork } from '../packager/markers.js';
import type { Profile } from '../profile/types.js';
import type { Accel } from '../vm/accel.js';
import type { Guest, GuestSpec } from './guest.js';
import type { ProbeResult } from './probe.js';
import type { BootTiming, VerdictStatus } from './verdict.js';

export interface BootRequest {
  bzImage: string;
  /** The root: an initramfs, or with `rootDisk` a read-only disk image. */
  initramfs: string;
  rootDisk?: boolean;
  /** The data volumes' seeded images: each boot gets fresh copies (in logDir), removed after it unless `keepVolumes`. */
  volumes?: string[];
  /** Where this boot's volume copies are moved after it (the re-check that shows what the tests wrote). */
  keepVolumes?: string;
  cmdline: string;
  qemu: Profile['qemu'];
  /** The guest's network; absent: none, and the tests run once the app started. */
  network?: GuestNetwork;
  tests: string;
  logDir: string;
  bootTimeoutMs: number;
  readyTimeoutMs: number;
  testTimeoutMs: number;
  /** The accelerator decided for this host; bootAndTest() decides from qemu.accel when absent. */
  accel?: Accel;
  /** Told once when KVM is disproved mid-run and the boot goes on under TCG. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

export interface BootOutcome {
  status: VerdictStatus;
  reason: string;
  /** A passing boot's timings. */
  timing?: BootTiming;
  bootMs: number;
  testMs: number;
  testExitCode?: number;
  consoleTail: string;
  consoleLog: string;
  testLog: string;
}

/** Where a guest runs: this machine, or a worker host (src/remote/boot.ts). */
export interface GuestHost {
  /** A port on the host's loopback for QEMU to forward to the app (retried if taken). */
  pickPort(): Promise<number>;
  startGuest(spec: GuestSpec): Promise<Guest>;
  waitForPort(hostPort: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  runTests(hostPort: number, testLog: string): Promise<ProbeResult>;
}
