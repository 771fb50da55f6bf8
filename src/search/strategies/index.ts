// The search strategies by name, the ones a profile may name.
import { TinyxError } from '../../errors.js';
import { isStrategyName, STRATEGY_NAMES, type StrategyName } from '../../profile/strategy-names.js';
import type { Strategy } from '../strategy.js';
import { bisect } from './bisect.js';
import { ddmin } from './ddmin.js';
import { oneAtATime } from './one-at-a-time.js';

/**
 * one-at-a-time: the reference, one evaluation per candidate that is not a no-op.
 * ddmin: delta debugging over tree-ordered chunks.
 * bisect: adaptive group testing over subtrees; the fewest evaluations in the simulations.
 */
const STRATEGIES: Readonly<Record<StrategyName, Strategy>> = { 'one-at-a-time': oneAtATime, ddmin, bisect };

export function getStrategy(name: string): Strategy {
  if (!isStrategyName(name)) {
    throw new TinyxError('TINYX_USAGE', `unknown search strategy "${name}"`, {
      advice: `one of: ${STRATEGY_NAMES.join(', ')}`,
    });
  }
  return STRATEGIES[name];
}
