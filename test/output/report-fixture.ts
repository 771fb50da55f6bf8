// A finished run's report as plain data, for the tests of what src/output renders and writes from it.
import type { Report } from '../../src/output/report.js';

const size = { bzImageBytes: 2048, initramfsBytes: 1024, optionsEnabled: 3 };
export const report: Report = {
  tinyx: '0.0.0', app: '/bin/app', tests: '/bin/probe', profile: 'qemu-x86_64', kernelVersion: '6.1.0', kernelTree: '6.1.0-0123abcd', kernelSource: 'tree sha256:00',
  accel: { accel: 'tcg', choice: 'auto', reason: 'no /dev/kvm' }, strategy: 'bisect', builds: 2, evaluations: 3, wallSeconds: 10,
  stages: { inputs: 0.1, output: 0 }, start: { ...size, bzImageBytes: 3072, optionsEnabled: 5 }, final: size, candidates: 2, removed: ['SIGNALFD'],
  kept: ['VIRTIO_NET'], keptReasons: { VIRTIO_NET: 'fail: tests exited with 1' }, harness: ['64BIT', 'NET'], noops: [],
  rounds: [{ candidates: ['VIRTIO_NET', 'SIGNALFD'], removed: ['SIGNALFD'], kept: ['VIRTIO_NET'], builds: 2 }, { candidates: ['INPUT'], removed: ['INPUT'], kept: [], builds: 1 }],
  recheck: { checked: ['VIRTIO_NET'], removed: [], builds: 1 }, cmdline: 'console=ttyS0', cmdlineRemoved: ['quiet'],
  initramfs: { compression: 'gzip', bytes: 1024, uncompressedBytes: 4096, entries: 7, parts: { app: 1000, libraries: 2000, init: 900, other: 196 } },
  // The start, then the two passing tests of the rounds (removing VIRTIO_NET failed: no point).
  searchSeries: { began: '2024-05-01T10:00:00.000Z', points: [
    { label: 'start', configHash: 'c0', bzImageBytes: 3072, optionsEnabled: 5, seconds: 2.5 },
    { label: '-SIGNALFD', configHash: 'c1', bzImageBytes: 2560, optionsEnabled: 4, seconds: 6 },
    { label: '-INPUT', configHash: 'c2', bzImageBytes: 2048, optionsEnabled: 3, seconds: 8.5 },
  ] },
  flaky: [], workers: [],
  rootfs: { uncompressedBytes: 4096, compressedBytes: 1024, entries: 7, appFiles: 1, packages: [], traceAdded: [] },
  boot: { accel: 'tcg', start: { initMs: 1500, appMs: 2100, readyMs: 2600 }, final: { initMs: 900, appMs: 1300, readyMs: 1700, guestInitMs: 420, guestAppMs: 480 } },
  bootSpeed: {
    added: ['tsc=reliable'], runs: 5, fromMs: 1700, toMs: 1300, cmdline: 'console=ttyS0 tsc=reliable',
    trials: [{ option: 'tsc=reliable', kept: true, medianMs: 1300, detail: '400 ms faster (noise 40 ms)' }, { option: 'i8042.noaux', kept: false, medianMs: 1290, detail: '10 ms faster, within the noise (40 ms)' }],
  },
  memory: { fromMiB: 256, leastMiB: 30, runMiB: 38, marginPercent: 25, probes: [{ mib: 29, passed: false, reason: 'panic: Kernel panic' }, { mib: 30, passed: true, reason: 'pass: tests passed' }] },
};
