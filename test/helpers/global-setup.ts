// Before any test: make sure the start kernel exists, so no test's timeout pays for a cold build.
import { startKernel } from './start-kernel.js';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const kernel = await startKernel((line) => process.stderr.write(`[global-setup] ${line}\n`));
  process.env.TINYX_TEST_BZIMAGE = kernel.bzImage;
  process.env.TINYX_TEST_START_BUILD_DIR = kernel.buildDir;
  process.stderr.write(`[global-setup] start kernel ready in ${Math.round((Date.now() - started) / 1000)} s: ${kernel.bzImage}\n`);
}
