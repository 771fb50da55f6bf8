// Claims build slots on a worker with flock locks held by one open exec channel: a dropped
// connection releases them, so no stale lock outlives its tinyx run.
import path from 'node:path/posix';
import type { ClientChannel } from 'ssh2';
import { quote } from '../util/shell.js';
import type { SshConnection } from './connection.js';

export interface SlotClaim {
  slots: number[];
  release(): void;
}

/** Slot dirs are <buildsDir>/worker-slot-N (distinct from local slot-N dirs on the same machine). */
export function remoteSlotDir(buildsDir: string, slot: number): string {
  return path.join(buildsDir, `worker-slot-${slot}`);
}

export async function claimRemoteSlots(ssh: SshConnection, buildsDir: string, count: number): Promise<SlotClaim> {
  // A slot is ours when flock -n on its lock file succeeds; a background cat keeps the locked fd
  // open until the channel's stdin closes (fd 9 only: dash has no fds above 9).
  const candidates = Array.from({ length: count + 16 }, (_, i) => i).join(' ');
  const lines = [
    `mkdir -p ${quote(buildsDir)}`, 'exec 3<&0', 'got=""; n=0',
    `for i in ${candidates}; do`,
    `  [ $n -ge ${count} ] && break`,
    `  exec 9>${quote(buildsDir)}/worker-slot-$i.lock`,
    '  if flock -n 9; then got="$got $i"; n=$((n+1)); cat <&3 >/dev/null 2>&1 & fi',
    '  exec 9>&-',
    'done',
    'echo "slots:$got"', 'cat <&3 >/dev/null',
  ];
  const channel: ClientChannel = await ssh.open(lines.join('\n'));
  const slots = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    let err = '';
    channel.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    channel.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /slots:([\d ]*)\n/.exec(out);
      if (line) resolve((line[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number));
    });
    channel.on('close', () => reject(new Error(`${ssh.name}: could not claim build slots: ${err.trim() || 'the lock channel closed'}`)));
  });
  return {
    slots,
    release: () => {
      channel.end();
      channel.close();
    },
  };
}
