// POSIX shell quoting, the one way tinyx puts a value into shell text (run.sh, the guest's rc, commands on workers).

/** One word the shell takes literally, byte for byte: left bare when plain, else single-quoted. */
export function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from argv. */
export function command(argv: string[]): string {
  return argv.map(quote).join(' ');
}

/** `VAR=value ... ` assignments to prefix a command with; a name that is not a shell variable name is refused. */
export function envPrefix(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${JSON.stringify(k)}`);
    return `${k}=${quote(v)} `;
  }).join('');
}
