// The search strategies a profile may name, and the one it gets when it names none.

const NAMES = ['one-at-a-time', 'ddmin', 'bisect'] as const;

export type StrategyName = (typeof NAMES)[number];

export const STRATEGY_NAMES: readonly string[] = NAMES;

export const DEFAULT_STRATEGY: StrategyName = 'bisect';

export function isStrategyName(name: string): name is StrategyName {
  return STRATEGY_NAMES.includes(name);
}
