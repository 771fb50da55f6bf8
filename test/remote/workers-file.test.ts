// workers.yaml parsing: defaults, relative paths, and errors that name their line.
import { describe, expect, it } from 'vitest';
import { parseWorkersFile } from '../../src/remote/workers-file.js';

describe('parseWorkersFile', () => {
  it('reads a list with defaults and resolves paths against the file', () => {
    const specs = parseWorkersFile([
      '- url: ssh://tinyx@build1:2222',
      '  identity: keys/id_ed25519',
      '  slots: 2',
      '  knownHosts: known_hosts',
      '- url: ssh://tinyx@build2',
      '  fingerprint: SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
      '  kernelSrc: /srv/linux-6.1',
    ].join('\n'), '/etc/tinyx/workers.yaml');
    expect(specs).toEqual([
      { url: 'ssh://tinyx@build1:2222', slots: 2, identity: '/etc/tinyx/keys/id_ed25519', knownHosts: ['/etc/tinyx/known_hosts'], kernelSrc: undefined, fingerprint: undefined },
      { url: 'ssh://tinyx@build2', slots: 1, kernelSrc: '/srv/linux-6.1', fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s' },
    ]);
    expect(parseWorkersFile('workers:\n  - url: ssh://a@b\n')).toHaveLength(1);
  });

  it('names the line of each problem', () => {
    const text = ['- url: ssh://ok@host', '- url: http://nope', '  slots: 0', '- url: ssh://x@y', '  fingerprint: MD5:aa', '  colour: red'].join('\n');
    expect(() => parseWorkersFile(text, 'w.yaml')).toThrowError(/w\.yaml:2: Not a worker address[\s\S]*w\.yaml:2: slots must be[\s\S]*w\.yaml:4: unknown key "colour"[\s\S]*w\.yaml:4: fingerprint must/);
    expect(() => parseWorkersFile('url: [', 'bad.yaml')).toThrowError(/bad\.yaml:1/);
  });
});
