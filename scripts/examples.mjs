// The bundled examples as `tinyx minimize` arguments (as their READMEs and the e2e tests run them),
// for scripts/learn-prior.mjs and bench/full-search.mjs.
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

/** The argv of `tinyx minimize` for an example, with more flags before the app's arguments. */
export function minimizeArgs(name, more = []) {
  const { flags, appArgs } = EXAMPLES[name];
  return ['minimize', ...flags, ...more, ...(appArgs.length ? ['--', ...appArgs] : [])];
}

export const CLI = path.join(root, 'dist/cli/main.js');
