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
