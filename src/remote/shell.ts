// POSIX shell quoting for commands sent over ssh exec channels (the remote side runs them through sh -c).

/** One argument, single-quoted so the remote shell takes it literally. */
export function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from argv. */
export function command(argv: string[]): string {
  return argv.map(quote).join(' ');
}

/** `VAR=value ... ` assignments to prefix a command with (ssh servers drop most client env vars). */
export function envPrefix(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${quote(v)} `).join('');
}

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
