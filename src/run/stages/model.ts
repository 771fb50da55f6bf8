// The tree's Kconfig model for the stages that read it, or none (with a warning) when the engine fails.
import { loadKconfig, type KconfigModel } from '../../kconfig/engine.js';
import type { EventListener } from '../../search/events.js';

/** The tree's Kconfig model, or undefined (with a warning saying what goes without it) when the engine fails. */
export async function readModel(srcDir: string, cacheDir: string | undefined, emit: EventListener, without: string): Promise<KconfigModel | undefined> {
  return loadKconfig(srcDir, { arch: 'x86', cacheDir }).catch((error: unknown) => {
    emit({ type: 'warning', message: `Kconfig engine unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${without}` });
    return undefined;
  });
}
