// The bundled examples as `tinyx minimize` arguments (as their READMEs and the e2e tests run them),
// for scripts/learn-prior.mjs and the benches.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ex = (p) => path.join(root, 'examples', p);

/** name -> { flags, appArgs }: `tinyx minimize ...flags [--out ...] -- ...appArgs`. */
export const EXAMPLES = {
  'hello-http': { flags: ['--app', ex('hello-http/build/server'), '--tests', ex('hello-http/probe.sh'), '--port', '80'], appArgs: [] },
  lighttpd: {
    flags: [
      '--app', '/usr/sbin/lighttpd', '--tests', ex('lighttpd/probe.sh'), '--port', '80',
      '--include', `${ex('lighttpd/lighttpd.conf')}:/etc/lighttpd/lighttpd.conf`, '--include', `${ex('lighttpd/www')}:/var/www/html`,
    ],
    appArgs: ['-D', '-f', '/etc/lighttpd/lighttpd.conf'],
  },
  'py-notes': { flags: ['--app', ex('py-notes/notes.py'), '--tests', ex('py-notes/probe.sh'), '--port', '8000'], appArgs: ['8000'] },
  'go-http': { flags: ['--app', ex('go-http/build/server'), '--tests', ex('go-http/probe.sh'), '--port', '8080'], appArgs: [] },
};

/**
 * Other builds of a bundled example, for the benches only (the learned guess is EXAMPLES' alone):
 * hello-http's server compiled against musl (musl-gcc; the set-up builds it with the example images).
 */
export const VARIANTS = {
  'hello-http-musl': { flags: ['--app', ex('hello-http/build/server-musl'), '--tests', ex('hello-http/probe.sh'), '--port', '80'], appArgs: [] },
};

/** The argv of `tinyx minimize` for an example, with more flags before the app's arguments. */
export function minimizeArgs(name, more = []) {
  const { flags, appArgs } = EXAMPLES[name] ?? VARIANTS[name];
  return ['minimize', ...flags, ...more, ...(appArgs.length ? ['--', ...appArgs] : [])];
}

export const CLI = path.join(root, 'dist/cli/main.js');
