// distcc for one build's compiles: ccache in front (hits stay local), misses sent to DISTCC_HOSTS.
import { TinyxError } from '../errors.js';

/** One DISTCC_HOSTS entry: host[:port][/limit][,options] or localhost[/limit]. */
const HOST = /^(?:localhost|\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?(?:\/\d+)?(?:,[a-z]+)*$/;

/** Checks a --distcc value (space- or comma-separated hosts) and returns DISTCC_HOSTS. */
export function parseDistccHosts(value: string): string {
  const hosts = value.split(/[\s]+/).flatMap((h) => (h.includes(',') && !/,(lzo|cpp)/.test(h) ? h.split(',') : [h])).filter(Boolean);
  const bad = hosts.filter((h) => !HOST.test(h));
  if (hosts.length === 0 || bad.length > 0) {
    throw new TinyxError('TINYX_USAGE', `--distcc: not a distcc host list: ${bad.join(' ') || JSON.stringify(value)}.`, {
      advice: 'Give hosts as for DISTCC_HOSTS, e.g. --distcc "build1/4 build2:3632/4,lzo localhost/2".',
    });
  }
  return hosts.join(' ');
}

/**
 * Environment for make so kernel compiles go ccache -> distcc -> a distccd (CC stays "ccache gcc";
 * ccache calls the compiler through CCACHE_PREFIX). No local fallback unless `fallback` is set, so a
 * broken host shows up as a build error instead of a slow build.
 */
export function distccEnv(hosts: string, options: { fallback?: boolean } = {}): Record<string, string> {
  return {
    CCACHE_PREFIX: 'distcc',
    DISTCC_HOSTS: parseDistccHosts(hosts),
    DISTCC_FALLBACK: options.fallback ? '1' : '0',
    DISTCC_SKIP_LOCAL_RETRY: options.fallback ? '0' : '1',
  };
}

/** make -j for a distcc build: the sum of the hosts' job limits (distcc's default limit is 4, localhost 2). */
export function distccJobs(hosts: string): number {
  return parseDistccHosts(hosts).split(' ').reduce((sum, host) => {
    const limit = /\/(\d+)/.exec(host)?.[1];
    return sum + (limit ? Number(limit) : host.startsWith('localhost') ? 2 : 4);
  }, 0);
}
