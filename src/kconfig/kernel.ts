// The kernel's own Kconfig tools, always through `make O=<dir>` so the source tree stays pristine.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { TinyxError } from '../errors.js';
import { parseDotConfig, formatDotConfig, type DotConfig } from './dotconfig.js';

/** Runs kernel config targets in one scratch O= dir, one call at a time. */
export class KernelConfigTool {
  private readonly queue = pLimit(1);

  constructor(
    readonly srcDir: string,
    /** A scratch O= directory owned by this tool (never a build slot in use). */
    readonly workDir: string,
  ) {}

  /** `make <target>` (tinyconfig, defconfig, ...) and the resulting config. */
  async baseConfig(target: string): Promise<DotConfig> {
    return this.queue(async () => {
      await this.make([target]);
      return this.read();
    });
  }

  /** The kernel's `olddefconfig` applied to `config`. */
  async olddefconfig(config: DotConfig): Promise<DotConfig> {
    return this.queue(async () => {
      await this.write(config);
      await this.make(['olddefconfig']);
      return this.read();
    });
  }

  /** The kernel's `savedefconfig` for `config` (normalized first). */
  async savedefconfig(config: DotConfig): Promise<string> {
    return this.queue(async () => {
      await this.write(config);
      await this.make(['olddefconfig']);
      await this.make(['savedefconfig']);
      return readFile(path.join(this.workDir, 'defconfig'), 'utf8');
    });
  }

  private async write(config: DotConfig): Promise<void> {
    await mkdir(this.workDir, { recursive: true });
    await writeFile(path.join(this.workDir, '.config'), formatDotConfig(config));
  }

  private async read(): Promise<DotConfig> {
    return parseDotConfig(await readFile(path.join(this.workDir, '.config'), 'utf8'));
  }

  private async make(targets: string[]): Promise<void> {
    await mkdir(this.workDir, { recursive: true });
    const result = await execa('make', ['-s', '-C', this.srcDir, `O=${this.workDir}`, ...targets], {
      reject: false,
      all: true,
      stdin: 'ignore',
      env: { KCONFIG_NOSILENTUPDATE: undefined },
    });
    if (result.exitCode !== 0) {
      throw new TinyxError('TINYX_KERNEL_TOOL_FAILED', `make ${targets.join(' ')} failed in ${this.workDir}:\n${tail(result.all ?? '', 20)}`, {
        advice: 'Check that the kernel tree is pristine (no .config or include/config in it) and that gcc, make, flex and bison are installed.',
      });
    }
  }
}

/** Set each name to n (or y), keeping the rest; the result still needs olddefconfig. */
export function withValues(config: DotConfig, names: readonly string[], value: 'y' | 'n'): DotConfig {
  const next = new Map(config);
  for (const name of names) next.set(name, value);
  return next;
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}
