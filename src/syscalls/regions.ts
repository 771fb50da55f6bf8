// Cuts a disassembly into functions (symbols and direct call targets) and lists each one's calls and syscall sites.
import { bareName, type Disassembly } from './disasm.js';
import type { FunctionCode } from './regflow.js';

export interface Region extends FunctionCode {
  /** The symbol at its start, if any (stripped libraries name only their exports). */
  name?: string;
  /** Regions it calls, jumps into or falls through to. */
  calls: Set<number>;
  /** Imported functions it calls through the PLT. */
  imports: Set<string>;
  /** Indexes of its `syscall` instructions. */
  syscalls: number[];
  /** Its direct calls and jumps out of it: instruction index and the region or import they reach. */
  sites: Site[];
  /** It can return: it holds a `ret` or an indirect jump. */
  returns: boolean;
  /** The regions it tail-jumps or falls into. */
  exits: number[];
  /** The call or jump it ends with, if it ends with one. */
  last?: Site;
}

export interface Site { at: number; region?: number; name?: string }

export interface Regions {
  regions: Region[];
  /** The region starting at an address. */
  at: Map<number, number>;
}

/** Alignment filler between functions. */
const PADDING = /^(nop|int3|xchg)/;

/** The function regions of `code`, starting at its labels, at `entries` and at every direct call target. */
export function regionsOf(code: Disassembly, entries: Iterable<number>): Regions {
  const { instructions } = code;
  const index = new Map<number, number>(instructions.map((ins, i) => [ins.addr, i]));
  const starts = new Set<number>([...code.labels.keys(), ...entries]);
  for (const ins of instructions) if (ins.op.startsWith('call') && ins.target !== undefined) starts.add(ins.target);
  const sorted = (): number[] => [...new Set([0, ...[...starts].filter((a) => index.has(a)).map((a) => index.get(a)!)])].sort((a, b) => a - b);
  let firsts = sorted();
  const regionOfIndex = (i: number): number => {
    let lo = 0;
    let hi = firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (firsts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // A jump into the middle of another function enters a part of its own (a static function the symbols do not name, or
  // the rest of a function its cold part jumps back into), which a call before it may fall into.
  const functionStarts = new Set(firsts);
  instructions.forEach((ins, i) => {
    const to = ins.target === undefined ? undefined : index.get(ins.target);
    if (ins.op.startsWith('j') && to !== undefined && regionOfIndex(to) !== regionOfIndex(i)) starts.add(ins.target!);
  });
  firsts = sorted();
  const at = new Map<number, number>(firsts.map((first, r) => [instructions[first]!.addr, r]));
  const regions = firsts.map((start, r): Region => {
    const end = firsts[r + 1] ?? instructions.length;
    const region: Region = {
      instructions, start, end, jumpsInto: new Map(), calls: new Set(), imports: new Set(), syscalls: [], sites: [], returns: false, exits: [],
      name: code.labels.get(instructions[start]!.addr),
    };
    for (let i = start; i < end; i++) {
      const ins = instructions[i]!;
      if (ins.op === 'syscall') region.syscalls.push(i);
      if (/^ret/.test(ins.op) || (ins.op.startsWith('j') && ins.args[0]?.startsWith('*'))) region.returns = true;
      if (ins.target === undefined || ins.targetName === undefined) continue;
      const plt = /^(.+)@plt$/.exec(ins.targetName);
      const target = index.get(ins.target);
      if (plt) {
        if (plt[1]!.startsWith('*ABS*')) continue;
        const name = bareName(plt[1]!);
        region.imports.add(name);
        region.sites.push({ at: i, name });
      } else if (target !== undefined && target >= start && target < end) {
        if (!ins.op.startsWith('j')) continue;
        const into = region.jumpsInto as Map<number, number[]>;
        into.set(ins.target, [...(into.get(ins.target) ?? []), i]);
      } else if (target !== undefined) {
        const to = regionOfIndex(target);
        region.calls.add(to);
        region.sites.push({ at: i, region: to });
        if (ins.op.startsWith('j')) region.exits.push(to);
      }
    }
    let last = end - 1;
    while (last > start && PADDING.test(instructions[last]!.op)) last--;
    // A function's last call returns nowhere (it is to a no-return function), so only other instructions fall through.
    const stop = functionStarts.has(end) ? /^(jmp|ret|ud2|hlt|call)/ : /^(jmp|ret|ud2|hlt)/;
    if (end < instructions.length && !stop.test(instructions[last]!.op)) {
      region.calls.add(r + 1);
      region.exits.push(r + 1);
    }
    region.last = region.sites.find((site) => site.at === last);
    return region;
  });
  return { regions, at };
}
