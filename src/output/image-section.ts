// report.json's `image` and report.md's image section: what a container image became, beside the VM made of it.

/** A run from `--image`: the image, the run its config gave, and what a VM cannot honour of it. */
export interface ImageReport {
  /** The image as given (`-`: standard input), its format, platform and config digest. */
  ref: string;
  format: string;
  platform: string;
  configDigest: string;
  /** The layer blobs as stored (compressed, except in `docker save` archives), and the unpacked files. */
  layersBytes: number;
  unpackedBytes: number;
  /** Every file of the image was the start (--image-whole), not the analysed closure. */
  whole: boolean;
  /** The run: Entrypoint + Cmd (or the arguments after --), directory, user, the port the tests reach (absent: none). */
  run: { argv: string[]; workingDir: string; user: string; port?: number };
  /** Config fields the VM does not honour, each with why; and what was said about the platform and ports. */
  unhonoured: string[];
  notes: string[];
}

/** The image against the VM: its sizes, the ratio, the run, and what the VM leaves out of its config. */
export function imageSection(image: ImageReport, vmBytes: number): string[] {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  const ratio = (n: number) => (vmBytes > 0 ? `${(n / vmBytes).toFixed(1)}x the VM` : '');
  return [
    '## The image',
    '',
    '| | bytes | |',
    '|---|---:|---|',
    `| image layers, as stored | ${image.layersBytes} | ${mib(image.layersBytes)}, ${ratio(image.layersBytes)} |`,
    `| image, unpacked | ${image.unpackedBytes} | ${mib(image.unpackedBytes)}, ${ratio(image.unpackedBytes)} |`,
    `| the VM: kernel + initramfs | ${vmBytes} | ${mib(vmBytes)} |`,
    '',
    `\`${image.ref}\` (${image.format}, ${image.platform}, config \`${image.configDigest}\`) runs \`${image.run.argv.join(' ')}\` as ${image.run.user} in \`${image.run.workingDir}\`${image.run.port !== undefined ? `, its port ${image.run.port} reached by the tests` : ', with no network'}.${image.whole ? ' Every file of the image was the start (--image-whole).' : ''}`,
    '',
    ...(image.unhonoured.length ? ['Not honoured by the VM:', '', ...image.unhonoured.map((u) => `- ${u}`), ''] : []),
    ...(image.notes.length ? [...image.notes.map((n) => `- ${n}`), ''] : []),
  ];
}
