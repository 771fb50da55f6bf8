// A CliIo that keeps what the CLI prints, for tests that call runMain.
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), interactive: false }, out, err };
}
