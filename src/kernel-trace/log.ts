// Reads QEMU's `-d in_asm` (or `-d exec`) log: the kernel addresses of code that ran.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { kernelOffset } from './symbols.js';

/** `0xffffffff810000be:  0f 01 15 ...  lgdtq ...`: one translated instruction. */
const IN_ASM = /^0x([0-9a-f]{16}):/;
/** `Trace 0: 0x7ff3ac1b1f80 [0000000000000000/ffffffff810000be/0000c2b0/ff000000]`: one executed block. */
const EXEC = /^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]{16})\//;

/** QEMU arguments that log each kernel block once, when first translated (i.e. it ran). */
export function inAsmLogArgs(logFile: string): string[] {
  return ['-d', 'in_asm', '-D', logFile, '-dfilter', '0xffffffff80000000..0xffffffffffffffff'];
}

/** The kernel address (offset from 0xffffffff00000000) a log line names, if any. */
export function parseLogLine(line: string): number | undefined {
  const m = IN_ASM.exec(line) ?? EXEC.exec(line);
  return m ? kernelOffset(m[1]!) : undefined;
}

export interface TraceLog {
  /** Distinct kernel addresses seen (instruction addresses for in_asm, block starts for exec). */
  addresses: Set<number>;
  bytes: number;
  lines: number;
}

export async function readTraceLog(file: string): Promise<TraceLog> {
  const addresses = new Set<number>();
  let lines = 0;
  const input = createInterface({ input: createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of input) {
    lines++;
    const address = parseLogLine(line);
    if (address !== undefined) addresses.add(address);
  }
  return { addresses, bytes: (await stat(file)).size, lines };
}
