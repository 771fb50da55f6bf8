// Commands on a worker that die with their ssh exec channel (the remote side runs them through sh -c).
import { quote } from '../util/shell.js';

/**
 * Wraps a shell command so it dies with the ssh channel: it runs in its own process group and a
 * watchdog kills that group when the channel's stdin reaches EOF (we closed it, or the connection
 * dropped). The channel's exit status is the command's. Keep stdin open while it should run.
 */
export function watched(script: string): string {
  return [
    'exec 3<&0',
    `setsid sh -c ${quote(script)} </dev/null & p=$!`,
    '( cat <&3 >/dev/null; kill -KILL -- -$p ) >/dev/null 2>&1 &',
    'exec 3<&-',
    'wait $p',
  ].join('\n');
}
