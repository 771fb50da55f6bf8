// report.md's compression section: the run's choice and, per compressor, the final VM's sizes and boot times.
import type { CompressionComparison, CompressionRow } from '../search/compression.js';

/** `pvhBoots`: the boots were by the vmlinux (the PVH stage shipped it), which the kernel's compression does not touch. */
export function compressionSection(c: CompressionComparison, pvhBoots = false): string[] {
  const kib = (n?: number) => (n === undefined ? '-' : `${(n / 1024).toFixed(0)} KiB`);
  const secs = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  const chosen = c.asked === 'auto'
    ? `\`auto\`: the smallest initramfs of ${c.initramfs.map((s) => `${s.compression} ${kib(s.bytes)}`).join(', ')}`
    : `asked for (initramfs ${c.initramfs.map((s) => `${s.compression} ${kib(s.bytes)}`).join(', ')})`;
  const compared = c.rows.filter((r) => !r.shipped);
  return [
    '## Compression',
    '',
    `Kernel and initramfs are compressed with ${c.used} (${chosen}).`,
    '',
    ...(compared.length ? [
      'The final config with the kernel\'s compression and its RD_ option switched to each other compressor, the initramfs packed with it, built and booted with the same tests (boot times: one boot each, the shipped VM\'s the median of its re-checks):',
      ...(pvhBoots ? ['', 'Each was booted by its vmlinux (PVH entry), as the result ships: the boot times show the initramfs\'s compression only; the kernel sizes are the bzImages\'.'] : []),
      '',
      '| compression | bzImage | initramfs | total | boot to init | to app | to port | verdict |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
      ...c.rows.map((r) => `| ${r.compression}${r.shipped ? ' (shipped)' : ''} | ${kib(r.bzImageBytes)} | ${kib(r.initramfsBytes)} | ${kib(r.totalBytes)} | ${secs(r.boot?.initMs)} | ${secs(r.boot?.appMs)} | ${secs(r.boot?.readyMs)} | ${verdict(r)} |`),
      '',
      c.smaller
        ? `With ${c.smaller.compression} the VM is ${kib(c.smaller.savedBytes)} smaller in total; the shipped one stays the searched one (its 1-minimality was proven with ${c.used}): \`${c.smaller.flag}\` searches with ${c.smaller.compression}.`
        : `No compared compressor gives a smaller VM in total than ${c.used}.`,
      '',
    ] : []),
  ];
}

function verdict(r: CompressionRow): string {
  if (r.shipped) return 'pass (the result)';
  return r.status === 'pass' ? 'pass' : `${r.status}: ${r.reason.replace(/\|/g, '\\|')}`;
}
