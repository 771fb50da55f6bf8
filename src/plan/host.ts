// The facts of this host a run plan reads, gathered in one place so the plan itself stays pure.
import { availableParallelism } from 'node:os';
import { cacheRoot } from '../util/paths.js';
import type { HostFacts } from './plan.js';

export function hostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts {
  return { env, cores: availableParallelism(), cacheRoot: cacheRoot(env), cwd: process.cwd() };
}
