// Reads a newc (cpio) archive back, for tests that look into an initramfs.

/** Every member of a newc archive: path (with its leading slash) -> mode (type and permission bits) and contents. */
export function membersOf(archive: Buffer): Map<string, { mode: number; data: Buffer }> {
  const members = new Map<string, { mode: number; data: Buffer }>();
  let at = 0;
  const pad = (n: number) => (n + 3) & ~3;
  for (;;) {
    const field = (i: number) => Number.parseInt(archive.subarray(at + 6 + i * 8, at + 14 + i * 8).toString(), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = archive.subarray(at + 110, at + 110 + nameSize - 1).toString();
    if (name === 'TRAILER!!!') return members;
    const dataAt = pad(at + 110 + nameSize);
    members.set(`/${name}`, { mode, data: archive.subarray(dataAt, dataAt + size) });
    at = pad(dataAt + size);
  }
}

/** The files of a newc archive: path (with its leading slash) -> contents. */
export function filesOf(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [name, { mode, data }] of membersOf(archive)) if ((mode & 0o170000) === 0o100000) files.set(name, data);
  return files;
}
