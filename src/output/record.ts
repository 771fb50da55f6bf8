// The output record: everything an out dir holds, as plain JSON-serializable data (no live objects).
import type { VmLaunch } from '../vm/spec.js';
import type { Report } from './report.js';

/**
 * Built by the run before it closes (so the kernel's savedefconfig still has its scratch dir), then
 * handed to writeOutput; a fleet of runs can collect these records as they are.
 */
export interface OutputRecord {
  /** Files copied into the out dir: the final kernel (in the artifact store) and the run's initramfs (named as `launch.initramfs`). */
  bzImage: string;
  /** The uncompressed kernel (PVH entry) the launch files boot instead, when the run found it faster (`launch.kernel`). */
  vmlinux?: string;
  initramfs: string;
  /** The final kernel's full .config, and the minimal fragment `savedefconfig` writes for it. */
  config: string;
  defconfig: string;
  /** The minimized kernel command line. */
  cmdline: string;
  launch: VmLaunch;
  /** The data volumes: the seeded image (what run.sh boots, named as in `launch.volumes`) and the one the last re-check's tests wrote to (`testedName`). */
  volumes?: Array<{ seed: string; tested: string; testedName: string }>;
  /** report.json as written (report.md is rendered from it). */
  report: Report;
  /** run.json: what the run was asked to do (src/search/run-record.ts), written with the result it made. */
  run: Record<string, unknown>;
}
