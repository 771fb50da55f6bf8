// known_hosts matching (plain, wildcards, negation, [host]:port, hashed) and the worker URL format.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entryMatches, keyTypeOf, parseKnownHosts } from '../../src/remote/known-hosts.js';
import { formatWorkerUrl, knownHostsName, parseWorkerUrl } from '../../src/remote/url.js';

describe('known_hosts', () => {
  it('matches plain, wildcard and negated patterns, with ports in brackets', () => {
    expect(entryMatches('build1,10.0.0.7', 'build1')).toBe(true);
    expect(entryMatches('build1', '[build1]:2222')).toBe(false);
    expect(entryMatches('[build1]:2222', '[build1]:2222')).toBe(true);
    expect(entryMatches('*.example.org,!evil.example.org', 'b2.example.org')).toBe(true);
    expect(entryMatches('*.example.org,!evil.example.org', 'evil.example.org')).toBe(false);
    expect(entryMatches('build?', 'build7')).toBe(true);
    expect(entryMatches('BUILD1', 'build1')).toBe(true);
  });

  it('matches hashed names (|1|salt|HMAC-SHA1)', () => {
    const salt = randomBytes(20);
    const field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64')}`;
    expect(entryMatches(field, '[127.0.0.1]:2222')).toBe(true);
    expect(entryMatches(field, '127.0.0.1')).toBe(false);
  });

  it('parses markers, comments and key types', () => {
    const entries = parseKnownHosts('# c\n\n@revoked build1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== old\nbuild1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n', 'kh');
    expect(entries.map((e) => [e.marker, e.patterns, e.keyType, e.line])).toEqual([['@revoked', 'build1', 'ssh-ed25519', 3], [undefined, 'build1', 'ssh-ed25519', 4]]);
    expect(keyTypeOf(entries[1]!.key)).toBe('ssh-ed25519');
  });
});

describe('worker URLs', () => {
  it('parses ssh://user@host[:port] and names it the way known_hosts does', () => {
    expect(parseWorkerUrl('ssh://tinyx@build1')).toEqual({ user: 'tinyx', host: 'build1', port: 22 });
    expect(parseWorkerUrl('ssh://root@[::1]:2222')).toEqual({ user: 'root', host: '::1', port: 2222 });
    expect(knownHostsName({ host: 'build1', port: 22 })).toBe('build1');
    expect(knownHostsName({ host: '127.0.0.1', port: 2222 })).toBe('[127.0.0.1]:2222');
    expect(formatWorkerUrl({ user: 'root', host: '::1', port: 2222 })).toBe('ssh://root@[::1]:2222');
    for (const bad of ['build1', 'http://x@y', 'ssh://x@y:0', 'ssh://x@y:99999']) expect(() => parseWorkerUrl(bad)).toThrowError(/Not a worker address/);
  });
});
