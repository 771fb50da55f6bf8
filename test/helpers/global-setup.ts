// Before any test: make sure the start kernel exists, so no test's timeout pays for a cold build;
// and unpack the newer kernel tree (linux-source-6.12, when installed) that the compatibility tests also read.
import { existsSync } from 'node:fs';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { TARBALL_DIR } from '../../src/kconfig/tarball.js';
import { startKernel } from './start-kernel.js';

const NEXT = 'linux-source-6.12';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const kernel = await startKernel({ log: (line) => process.stderr.write(`[global-setup] ${line}\n`), inSlot: true });
  process.env.TINYX_TEST_BZIMAGE = kernel.bzImage;
  process.env.TINYX_TEST_START_BUILD_DIR = kernel.buildDir;
  process.stderr.write(`[global-setup] start kernel ready in ${Math.round((Date.now() - started) / 1000)} s: ${kernel.bzImage}\n`);
  if (!process.env.TINYX_KERNEL_SRC_NEXT && existsSync(`${TARBALL_DIR}/${NEXT}.tar.xz`)) {
    const next = await resolveKernelSource({ kernelSrc: NEXT });
    process.stderr.write(`[global-setup] ${NEXT} ready: ${next.dir}\n`);
  }
}
