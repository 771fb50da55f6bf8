// The machine monitors a profile's vm.targets can name: a new target is its file in src/vm/ and a line here.
import { TinyxError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { cloudHypervisorTarget } from './cloud-hypervisor.js';
import { firecrackerTarget } from './firecracker.js';
import type { MachineMonitor } from './monitor.js';
import { qemuTarget } from './run-script.js';

const TARGETS: readonly MachineMonitor[] = [qemuTarget, firecrackerTarget, cloudHypervisorTarget];

/** The targets `names` (a profile's vm.targets) name, in their order; an unknown name is refused. */
export function launchTargets(names: readonly string[]): MachineMonitor[] {
  return names.map((name) => {
    const target = TARGETS.find((t) => t.name === name);
    if (target) return target;
    const known = TARGETS.map((t) => t.name);
    throw new TinyxError('TINYX_PROFILE_INVALID', `vm.targets names "${name}", which is no target${didYouMean(name, known)}; known targets: ${known.join(', ')}.`, {
      advice: 'Fix vm.targets in the profile.',
    });
  });
}
